#pragma once
// The bounce parser as the CLI sees it. Its implementation (mime.hpp, on GMime) is built into a
// module of its own, mailer-bounces.so, that only the bounce commands load: linked into the
// executable, GMime, GIO, GObject and GLib cost every run of mailer some 3.5 ms of CPU at start.
#include <string_view>

#include "mailer/bounces/report.hpp"

namespace mailer::bounces {

class Parser {
 public:
  virtual ~Parser() = default;
  // What `message` (RFC 5322 bytes) reports; never throws for bad input.
  virtual Report parse(std::string_view message) const = 0;
};

// The module's one entry point, under this name: a new parser, which the caller deletes.
using MakeParser = Parser* (*)();
inline constexpr const char kMakeParserSymbol[] = "mailer_bounces_make_parser";

}  // namespace mailer::bounces
