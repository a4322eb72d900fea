// The entry point of mailer-bounces.so (see mailer/bounces/parser.hpp): the only symbol the
// module exports; the layers it holds stay its own.
#include "mailer/bounces/mime.hpp"
#include "mailer/bounces/parser.hpp"

namespace {

class MimeParser final : public mailer::bounces::Parser {
 public:
  mailer::bounces::Report parse(std::string_view message) const override {
    return mailer::bounces::parse_message(message);
  }
};

}  // namespace

extern "C" __attribute__((visibility("default"))) mailer::bounces::Parser* mailer_bounces_make_parser() {
  return new MimeParser();
}
