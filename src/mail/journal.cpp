#include "mailer/mail/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer {
namespace {

// The first field of every line: a record written by a later format is skipped, not misread.
constexpr std::string_view kVersion = "m1";
constexpr std::size_t kFields = 11;

void append_escaped(std::string_view field, std::string& out) {
  for (char c : field) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::optional<std::string> unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (++i == field.size()) return std::nullopt;
    switch (field[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

template <class T>
std::optional<T> number(std::string_view field) {
  T value{};
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc{} || end != field.data() + field.size() || field.empty()) return std::nullopt;
  return value;
}

// An empty field is "none"; anything else must be a number.
template <class T>
bool optional_number(std::string_view field, std::optional<T>& out) {
  if (field.empty()) {
    out.reset();
    return true;
  }
  out = number<T>(field);
  return out.has_value();
}

std::optional<JournalRecord> parse_line(std::string_view line) {
  std::string_view fields[kFields];
  std::size_t n = 0;
  for (std::size_t start = 0;;) {
    std::size_t tab = line.find('\t', start);
    if (n == kFields) return std::nullopt;
    fields[n++] = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (n != kFields || fields[0] != kVersion) return std::nullopt;
  JournalRecord r;
  auto client = number<std::int64_t>(fields[1]);
  auto tries = number<int>(fields[2]);
  auto at = number<Time>(fields[3]);
  if (!client || !tries || !at) return std::nullopt;
  r.client = *client;
  r.tries_before = *tries;
  r.at = *at;
  r.status = std::string(fields[4]);
  r.state = std::string(fields[5]);
  if (r.status != "sent" && r.status != "bounced" && r.status != "deferred" && r.status != "failed")
    return std::nullopt;
  if (r.state != "done" && r.state != "deferred" && r.state != "queued") return std::nullopt;
  if (r.client <= 0 || r.tries_before < 0) return std::nullopt;
  if (!optional_number(fields[6], r.retry_at) || !optional_number(fields[7], r.smtp_code))
    return std::nullopt;
  auto email = unescape(fields[8]);
  auto message_id = unescape(fields[9]);
  auto response = unescape(fields[10]);
  if (!email || !message_id || !response) return std::nullopt;
  r.email = std::move(*email);
  r.message_id = std::move(*message_id);
  r.response = std::move(*response);
  return r;
}

[[noreturn]] void fail(std::string_view what, const std::string& path) {
  throw Error(Errc::internal, fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

}  // namespace

void append_journal_record(const JournalRecord& r, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{}\t{}\t{}\t{}\t{}\t{}\t", kVersion, r.client, r.tries_before,
                 r.at, r.status, r.state);
  if (r.retry_at) fmt::format_to(std::back_inserter(out), "{}", *r.retry_at);
  out += '\t';
  if (r.smtp_code) fmt::format_to(std::back_inserter(out), "{}", *r.smtp_code);
  out += '\t';
  append_escaped(r.email, out);
  out += '\t';
  append_escaped(r.message_id, out);
  out += '\t';
  append_escaped(r.response, out);
  out += '\n';
}

std::vector<JournalRecord> parse_journal(std::string_view text) {
  std::vector<JournalRecord> records;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) break;  // a torn last line
    if (auto r = parse_line(text.substr(start, end - start))) records.push_back(std::move(*r));
    start = end + 1;
  }
  return records;
}

DeliveryJournal::DeliveryJournal(std::string path) : path_(std::move(path)) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  fd_.reset(::open(path_.c_str(), kFlags, 0600));
  if (!fd_ && errno == EEXIST) {
    // Whatever is there is not this sender's: a dead sender's journal was folded and removed
    // before, so this is a stale copy or a planted file (or symlink). Never written through.
    remove(path_);
    fd_.reset(::open(path_.c_str(), kFlags, 0600));
  }
  if (!fd_) fail("cannot create delivery journal", path_);
}

DeliveryJournal::~DeliveryJournal() = default;

void DeliveryJournal::append(std::span<const JournalRecord> records) {
  if (records.empty()) return;
  buffer_.clear();
  for (const auto& r : records) append_journal_record(r, buffer_);
  const char* data = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_.get(), data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write delivery journal", path_);
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

void DeliveryJournal::clear() {
  if (::ftruncate(fd_.get(), 0) != 0) fail("cannot truncate delivery journal", path_);
}

void DeliveryJournal::remove() { remove(path_); }

void DeliveryJournal::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail("cannot remove delivery journal", path);
}

std::vector<JournalRecord> DeliveryJournal::read_trusted(const std::string& path, std::string& problem) {
  problem.clear();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    if (errno == ENOENT) return {};
    problem = fmt::format("delivery journal {} was not read: {}", path,
                          errno == ELOOP ? "it is a symbolic link" : std::strerror(errno));
    return {};
  }
  struct stat sb {};
  if (::fstat(fd.get(), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != ::geteuid() ||
      (sb.st_mode & 077) != 0 || sb.st_nlink != 1) {
    problem = fmt::format(
        "delivery journal {} was not read: it is not a regular file of this user's with mode 0600", path);
    return {};
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read delivery journal", path);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  return parse_journal(text);
}

std::vector<JournalRecord> DeliveryJournal::read(const std::string& path) {
  std::string problem;
  return read_trusted(path, problem);
}

}  // namespace mailer
