#pragma once
// Reading the bounce mailbox (SPEC §2 `bounces fetch`, §3): every message not yet processed is
// fetched, parsed, kept with its raw bytes and matched to its attempt, its bounces recorded
// (core's apply_bounce: the event, the attempt bounced, the address suppressed), all in one
// transaction per message; only then is it flagged processed on the server, in batches of
// kFlagBatch (each flag store makes the server rescan the folder: one per message made a
// 10,000-message fetch quadratic). A run killed between a commit and the flag fetches those
// messages again next time and finds them kept (the identity, UIDVALIDITY:UID, is unique):
// nothing is counted twice.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/time.hpp"
#include "mailer/bounces/mailbox.hpp"
#include "mailer/bounces/parser.hpp"
#include "mailer/store/database.hpp"

namespace mailer::bounces {

// How far back a report is matched by its recipient alone: the last attempt to that address
// within this many days, whoever sent it.
inline constexpr Time kRecentSendSeconds = 30 * 24 * 3600;

// How many recorded messages are flagged processed on the server at once.
inline constexpr std::size_t kFlagBatch = 100;

struct FetchOptions {
  bool expunge = false;  // flag processed messages \Deleted and expunge them
  int soft_limit = 3;    // bounces.soft_limit
};

// What a run did. Recipients count once per report recipient; `not_bounce` counts messages.
struct FetchSummary {
  std::uint64_t fetched = 0;     // messages read and kept by this run
  std::uint64_t already = 0;     // messages read that an earlier run had kept (not counted again)
  std::uint64_t matched = 0;     // failed recipients matched to an attempt
  std::uint64_t hard = 0;        // failed recipients, hard
  std::uint64_t soft = 0;        // failed recipients, soft
  std::uint64_t unknown = 0;     // failed recipients whose reason is undefined
  std::uint64_t complaints = 0;  // feedback reports (ARF)
  std::uint64_t not_bounce = 0;  // auto-replies, delay warnings and anything else
  std::uint64_t expunged = 0;
};

// Called after each message: done of total.
using FetchProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Throws Error{unavailable} when the mailbox cannot be reached, Error{permission} on a refused
// login, Error{protocol} when the server refuses a command. `now` stamps the reports.
FetchSummary fetch_reports(Mailbox& mailbox, const Parser& parser, store::Database& db, Time now,
                           const FetchOptions& options, const FetchProgress& progress);

// The matching, on its own (for tests): the attempt a failed recipient of a report is about,
// and how it was found, in this order: "return-path" (the VERP address the report was sent to,
// see return_path_attempt), "message-id" (the original's, quoted in the report), "recipient"
// (the latest attempt to that address within kRecentSendSeconds); none when nothing matches.
struct Match {
  BouncedAttempt attempt;
  std::string by;
};
std::optional<Match> match_recipient(store::BounceReportStore& store,
                                     const std::optional<BouncedAttempt>& by_return_path,
                                     const std::string& original_message_id, std::size_t recipients,
                                     const std::string& recipient, Time now);

// The attempt named by a genuine VERP address (core's verp_target, signed with `key`) in the
// report's own Delivered-To, X-Original-To, Envelope-To, X-Envelope-To or To field.
std::optional<BouncedAttempt> return_path_attempt(store::BounceReportStore& store, const std::string& key,
                                                  std::string_view message);

// The unfolded values of every `name:` field (case-insensitive) of the message's own header.
std::vector<std::string> header_values(std::string_view message, std::string_view name);
// The value of the report's own Message-ID header (its first), or empty.
std::string header_message_id(std::string_view message);

}  // namespace mailer::bounces
