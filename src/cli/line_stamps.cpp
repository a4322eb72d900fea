#include "line_stamps.hpp"

#include <cstring>
#include <ctime>
#include <string>

#include "clock.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/time.hpp"

namespace mailer::cli {
namespace {

std::string stamp() {
  Time now;
  try {
    now = current_time();
  } catch (const Error&) {
    // A malformed MAILER_NOW is the command's error to report; the line still gets a time.
    now = static_cast<Time>(std::time(nullptr));
  }
  return format_iso(now) + " ";
}

}  // namespace

LineStamps::LineStamps(std::ostream& stream) : stream_(stream), sink_(stream.rdbuf()) { stream_.rdbuf(this); }

LineStamps::~LineStamps() {
  stream_.flush();
  stream_.rdbuf(sink_);
}

LineStamps::int_type LineStamps::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof()))
    return sync() == 0 ? traits_type::not_eof(ch) : traits_type::eof();
  const char c = traits_type::to_char_type(ch);
  return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
}

std::streamsize LineStamps::xsputn(const char* text, std::streamsize count) {
  std::streamsize done = 0;
  while (done < count) {
    if (at_line_start_) {
      const std::string s = stamp();
      const auto size = static_cast<std::streamsize>(s.size());
      if (sink_->sputn(s.data(), size) != size) return done;
      at_line_start_ = false;
    }
    const auto* newline =
        static_cast<const char*>(std::memchr(text + done, '\n', static_cast<std::size_t>(count - done)));
    const std::streamsize len = newline != nullptr ? newline - (text + done) + 1 : count - done;
    const std::streamsize put = sink_->sputn(text + done, len);
    done += put;
    if (put != len) return done;
    if (newline != nullptr) at_line_start_ = true;
  }
  return done;
}

int LineStamps::sync() { return sink_->pubsync(); }

}  // namespace mailer::cli
