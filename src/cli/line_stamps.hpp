#pragma once
// `--log-timestamps`: the time in front of every line mailer writes to a stream, so that a
// log that cron appends to says when each line was written.
#include <ostream>
#include <streambuf>

namespace mailer::cli {

// While alive, every line written to `stream` starts with the current time (MAILER_NOW when
// set) as ISO 8601 with the UTC offset and a space: "2026-11-24T09:00:00+03:00 sent 3, ...".
class LineStamps : public std::streambuf {
 public:
  explicit LineStamps(std::ostream& stream);
  ~LineStamps() override;
  LineStamps(const LineStamps&) = delete;
  LineStamps& operator=(const LineStamps&) = delete;

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* text, std::streamsize count) override;
  int sync() override;

 private:
  std::ostream& stream_;
  std::streambuf* sink_;
  bool at_line_start_ = true;
};

}  // namespace mailer::cli
