// The mailbox of bounce reports on libcurl's IMAP (mailer/bounces/mailbox.hpp). Linked into
// mailer-bounces.so only: the executable's own libcurl is loaded at run time by the mail layer,
// and what only `mailer bounces` needs costs the other commands nothing.
#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/bounces/mailbox.hpp"

namespace mailer::bounces {
namespace {

// A window of UIDs per SEARCH: its answer (at most 11 bytes a UID) must fit in libcurl's
// line buffer, or libcurl cuts the line. 20,000 UIDs: at most 220 KB of a 512 KB buffer.
constexpr std::uint64_t kSearchWindow = 20000;
constexpr long kBufferSize = 512 * 1024;

struct Url {
  std::string root;    // scheme://authority/
  std::string folder;  // URL-encoded, as in the URL; INBOX when none
  std::string host;
  bool implicit_tls = false;
};

Url split(const std::string& url) {
  Url out;
  const auto scheme_end = url.find("://");
  const std::string_view rest =
      scheme_end == std::string::npos ? std::string_view(url) : std::string_view(url).substr(scheme_end + 3);
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  out.root = url.substr(0, (scheme_end == std::string::npos ? 0 : scheme_end + 3) + authority.size()) + "/";
  out.folder = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  while (!out.folder.empty() && out.folder.back() == '/') out.folder.pop_back();
  if (out.folder.empty()) out.folder = "INBOX";
  std::string_view host =
      authority.substr(authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  out.host = std::string(host);
  out.implicit_tls = url.starts_with("imaps://");
  return out;
}

bool loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// The folder's name as IMAP wants it: URL-decoded, quoted.
std::string quoted_folder(const std::string& encoded) {
  std::string name;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      int value = 0;
      auto [p, ec] = std::from_chars(encoded.data() + i + 1, encoded.data() + i + 3, value, 16);
      if (ec == std::errc() && p == encoded.data() + i + 3) {
        name += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    name += encoded[i];
  }
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::vector<std::uint64_t> numbers_after(std::string_view text, std::string_view word) {
  std::vector<std::uint64_t> out;
  std::size_t at = 0;
  while ((at = text.find(word, at)) != std::string_view::npos) {
    at += word.size();
    const std::size_t end = text.find_first_of("\r\n)", at);
    std::string_view list = text.substr(at, end == std::string_view::npos ? text.size() - at : end - at);
    std::size_t i = 0;
    while (i < list.size()) {
      while (i < list.size() && list[i] == ' ') ++i;
      std::uint64_t n = 0;
      auto [p, ec] = std::from_chars(list.data() + i, list.data() + list.size(), n);
      if (ec != std::errc()) break;
      out.push_back(n);
      i = static_cast<std::size_t>(p - list.data());
    }
  }
  return out;
}

class CurlMailbox final : public Mailbox {
 public:
  explicit CurlMailbox(const MailboxSettings& settings) : settings_(settings), url_(split(settings.url)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    easy_.reset(curl_easy_init());
  }
  ~CurlMailbox() override { easy_.reset(); }

  MailboxResult uidvalidity(std::uint64_t& out) override {
    MailboxResult r = command(url_.root, "STATUS " + quoted_folder(url_.folder) + " (UIDVALIDITY UIDNEXT)");
    if (!r) return r;
    const auto validity = numbers_after(body_, "UIDVALIDITY ");
    const auto next = numbers_after(body_, "UIDNEXT ");
    if (validity.empty() || next.empty())
      return {MailboxFailure::protocol,
              "the server's STATUS answer gave no UIDVALIDITY: " + body_.substr(0, 200)};
    out = validity.front();
    uidnext_ = next.front();
    return {};
  }

  MailboxResult unprocessed(std::vector<std::uint64_t>& out) override {
    out.clear();
    unseen_.clear();
    if (uidnext_ == 0) {
      std::uint64_t ignored = 0;
      if (MailboxResult r = uidvalidity(ignored); !r) return r;
    }
    for (std::uint64_t first = 1; first < uidnext_; first += kSearchWindow) {
      const std::uint64_t last = std::min(uidnext_ - 1, first + kSearchWindow - 1);
      MailboxResult r = command(folder_url(), "UID SEARCH UID " + std::to_string(first) + ":" +
                                                  std::to_string(last) + " UNKEYWORD " + kProcessedKeyword);
      if (!r) return r;
      for (std::uint64_t uid : numbers_after(body_, "* SEARCH"))
        if (uid >= first && uid <= last) out.push_back(uid);
      r = command(folder_url(), "UID SEARCH UID " + std::to_string(first) + ":" + std::to_string(last) +
                                    " UNKEYWORD " + kProcessedKeyword + " UNSEEN");
      if (!r) return r;
      for (std::uint64_t uid : numbers_after(body_, "* SEARCH"))
        if (uid >= first && uid <= last) unseen_.push_back(uid);
    }
    std::sort(unseen_.begin(), unseen_.end());
    return {};
  }

  MailboxResult fetch(std::uint64_t uid, std::string& out) override {
    MailboxResult r = perform(folder_url() + ";UID=" + std::to_string(uid), nullptr);
    out.swap(body_);
    body_.clear();
    return r;
  }

  MailboxResult mark_processed(const std::vector<std::uint64_t>& uids, bool deleted) override {
    std::string flags = kProcessedKeyword;
    if (deleted) flags += " \\Deleted";
    MailboxResult r = in_pieces(uids, [&](const std::string& set) {
      return command(folder_url(), "UID STORE " + set + " +FLAGS.SILENT (" + flags + ")");
    });
    if (!r || deleted) return r;
    // libcurl fetches with BODY[], not BODY.PEEK[], which sets \Seen: a report nobody had read
    // stays unread for the person who reads this mailbox too. One STORE for the whole batch;
    // one per message made dovecot rescan the folder each time.
    std::vector<std::uint64_t> unread;
    for (std::uint64_t uid : uids)
      if (std::binary_search(unseen_.begin(), unseen_.end(), uid)) unread.push_back(uid);
    return in_pieces(unread, [&](const std::string& set) {
      return command(folder_url(), "UID STORE " + set + " -FLAGS.SILENT (\\Seen)");
    });
  }

  MailboxResult expunge(const std::vector<std::uint64_t>& uids) override {
    return in_pieces(uids,
                     [&](const std::string& set) { return command(folder_url(), "UID EXPUNGE " + set); });
  }

 private:
  struct Cleanup {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
  };

  std::string folder_url() const { return url_.root + url_.folder; }

  // The UIDs as sets of at most 500 ("1,2,7"), so that no command line grows past what a
  // server reads; `run` is called with each.
  template <class Run>
  static MailboxResult in_pieces(const std::vector<std::uint64_t>& uids, Run run) {
    for (std::size_t i = 0; i < uids.size(); i += 500) {
      std::string set;
      for (std::size_t j = i; j < uids.size() && j < i + 500; ++j) {
        if (!set.empty()) set += ',';
        set += std::to_string(uids[j]);
      }
      if (MailboxResult r = run(set); !r) return r;
    }
    return {};
  }

  MailboxResult command(const std::string& url, const std::string& request) {
    return perform(url, request.c_str());
  }

  static std::size_t write_cb(char* data, std::size_t size, std::size_t n, void* self) {
    static_cast<CurlMailbox*>(self)->body_.append(data, size * n);
    return size * n;
  }

  MailboxResult perform(const std::string& url, const char* request) {
    if (!easy_) return {MailboxFailure::unavailable, "libcurl could not make a handle"};
    CURL* c = easy_.get();
    body_.clear();
    errbuf_[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, kBufferSize);
    // STARTTLS is required unless the server is this host itself: the password never travels
    // in clear over a network.
    curl_easy_setopt(
        c, CURLOPT_USE_SSL,
        url_.implicit_tls ? CURLUSESSL_ALL : (loopback(url_.host) ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    if (!settings_.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CurlMailbox::write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, settings_.timeout_s);
    curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, settings_.timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, settings_.timeout_s);
    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) return {};
    const std::string what = errbuf_[0] ? std::string(errbuf_) : std::string(curl_easy_strerror(rc));
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_GOT_NOTHING:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
        return {MailboxFailure::unavailable, what};
      case CURLE_REMOTE_FILE_NOT_FOUND:
        return {MailboxFailure::gone, what};
      case CURLE_LOGIN_DENIED:
        return {MailboxFailure::login, what};
      case CURLE_USE_SSL_FAILED:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
        return {MailboxFailure::tls, what};
      default:
        return {MailboxFailure::protocol, what};
    }
  }

  MailboxSettings settings_;
  Url url_;
  std::unique_ptr<CURL, Cleanup> easy_;
  std::string body_;
  std::uint64_t uidnext_ = 0;
  std::vector<std::uint64_t> unseen_;  // of unprocessed(): those not \Seen then, sorted
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace
}  // namespace mailer::bounces

extern "C" __attribute__((visibility("default"))) mailer::bounces::Mailbox* mailer_bounces_open_mailbox(
    const mailer::bounces::MailboxSettings& settings) {
  return new mailer::bounces::CurlMailbox(settings);
}
