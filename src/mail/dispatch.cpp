// Runs and attempts (SPEC §3): which runs a `send` takes, how it claims them, and what it does
// when one fails. The sending of one run is RunSender's (run_sender.cpp).
#include "mailer/mail/dispatch.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "attempt_writer.hpp"
#include "dry_run.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/mailings.hpp"
#include "mailer/core/schedule.hpp"
#include "mailer/core/users.hpp"
#include "mailer/mail/compose.hpp"
#include "mailer/mail/journal.hpp"
#include "mailer/mail/smtp_sender.hpp"
#include "run_records.hpp"
#include "run_sender.hpp"

namespace mailer {
namespace {

using Clock = std::chrono::steady_clock;

// Journals are named after the database file's canonical path, so every path to it agrees;
// the name is also stored with the run, so a sender that reaches it otherwise finds it.
std::string journal_path(const std::string& canonical_db, Id run) {
  return fmt::format("{}-run{}.deliveries", canonical_db, run);
}

std::string holder_words() {
  char host[HOST_NAME_MAX + 1] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("pid {} on {}", ::getpid(), host);
}

class ClaimGuard {
 public:
  ClaimGuard(store::RunClaimer& claims, Id run) : claims_(claims), run_(run) {}
  ~ClaimGuard() { claims_.release(run_); }
  ClaimGuard(const ClaimGuard&) = delete;
  ClaimGuard& operator=(const ClaimGuard&) = delete;

 private:
  store::RunClaimer& claims_;
  Id run_;
};

// What every run of one `send` shares.
struct SendContext {
  store::Database& db;
  const Config& config;
  const SendRequest& request;
  SendSummary& summary;
  Time now;
  std::unique_ptr<store::RunClaimer> claims;
  std::optional<store::LocalFile> local_file;  // none in memory: no journal, one process
  std::string canonical_db;
  std::unique_ptr<mail::Transport> sender;

  SendContext(store::Database& d, const Config& c, const SendRequest& r, SendSummary& s, Time n)
      : db(d),
        config(c),
        request(r),
        summary(s),
        now(n),
        claims(d.run_claimer()),
        local_file(d.local_file()),
        canonical_db(local_file ? local_file->canonical : std::string()) {}

  Time clock() const { return request.clock ? request.clock() : now; }

  // What a dead sender of the run journaled but did not fold goes into the database first,
  // so that those recipients are not sent again; then the file goes. A file that is not what
  // our sender leaves (a symlink, another owner, another mode) is removed unread.
  void fold_left_over(const runs::RunInfo& run) {
    std::vector<std::string> paths;
    if (run.journal) paths.push_back(*run.journal);
    if (!canonical_db.empty()) paths.push_back(journal_path(canonical_db, run.id));
    // mailer a5a75cd named the journal after the database path as it was given.
    if (local_file) paths.push_back(journal_path(local_file->given, run.id));
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (std::find(paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(i), paths[i]) !=
          paths.begin() + static_cast<std::ptrdiff_t>(i))
        continue;
      std::string problem;
      auto records = DeliveryJournal::read_trusted(paths[i], problem);
      if (!problem.empty()) summary.notes.push_back(problem + "; it was removed");
      if (!records.empty()) AttemptWriter(db, run.id, run.mailing, config.bounces_soft_limit).apply(records);
      DeliveryJournal::remove(paths[i]);
    }
  }

  void fail_run(const runs::RunInfo& run, const std::string& what, bool data) {
    db.runs().record_error(run.id, what, clock(), data);
    if (data) {
      ++summary.data_errors;
      summary.notes.emplace_back(fmt::format("run {} of mailing {} paused: {}", run.id, run.mailing, what),
                                 SendNote::Then::resume_when_fixed, run.mailing);
    } else {
      ++summary.internal_errors;
      summary.notes.emplace_back(fmt::format("run {} of mailing {} stopped: {}", run.id, run.mailing, what),
                                 SendNote::Then::next_due, run.mailing);
    }
  }

  // Sends one run, alone: whatever goes wrong with it (a message that cannot be composed, a
  // full disk) ends this run with a recorded error, and the caller goes on with the others.
  void process(const runs::RunInfo& run) {
    // PostgreSQL's fleet shares a run among its senders, each taking recipients by leases;
    // SQLite's run has one sender at a time.
    const bool shared = claims->shares_runs();
    if (!(shared ? claims->try_share(run.id) : claims->try_claim(run.id))) {
      ++summary.busy;
      summary.notes.push_back(fmt::format(
          "run {} of mailing {} left alone: another mailer process is sending it", run.id, run.mailing));
      return;
    }
    ClaimGuard guard(*claims, run.id);
    ++summary.runs;
    std::string journal = canonical_db.empty() ? std::string() : journal_path(canonical_db, run.id);
    try {
      fold_left_over(run);
      if (!runs::claim(db, run.id, holder_words(),
                       journal.empty() ? std::nullopt : std::optional<std::string>(journal)))
        return;  // removed meanwhile
      RunSender(db, config, run, request, summary, now, sender, journal, shared ? claims->worker() : 0)
          .send();
      runs::close_if_done(db, run.id, run.mailing, clock());
    } catch (const Error& e) {
      // The whole send shares one config and one session: those errors are everyone's.
      if (e.code() == Errc::config || e.code() == Errc::permission) throw;
      if (e.code() == Errc::temp_failure) {  // the database is busy: another tick takes it
        ++summary.busy;
        summary.notes.push_back(
            fmt::format("run {} of mailing {} left for later: {}", run.id, run.mailing, e.what()));
        return;
      }
      fail_run(run, e.hint().empty() ? std::string(e.what()) : fmt::format("{} ({})", e.what(), e.hint()),
               e.code() == Errc::data);
    } catch (const std::bad_alloc&) {
      fail_run(run, "out of memory", false);
    } catch (const std::exception& e) {
      fail_run(run, e.what(), false);
    }
  }

  // Closes the open runs that no sender will take again (a stopped mailing's) or whose
  // recipients are all done (a sender killed after its last commit), folding any journal they
  // left, and deletes journals of runs that no longer exist.
  void settle() {
    for (const auto& run : db.runs().runs_to_settle()) {
      if (!claims->try_claim(run.id)) continue;  // a live sender is finishing it
      ClaimGuard guard(*claims, run.id);
      fold_left_over(run);
      runs::close_if_done(db, run.id, run.mailing, now);
    }
    if (!canonical_db.empty()) remove_orphan_journals();
  }

  void remove_orphan_journals() {
    const auto slash = canonical_db.rfind('/');
    const std::string dir = slash == 0 ? "/" : canonical_db.substr(0, slash);
    const std::string prefix = canonical_db.substr(slash + 1) + "-run";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<Id> found;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (!name.starts_with(prefix) || !name.ends_with(".deliveries")) continue;
      std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - 11);
      Id run = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), run);
      if (ec == std::errc() && end == digits.data() + digits.size()) found.push_back(run);
    }
    ::closedir(d);
    for (Id run : found) {
      if (db.runs().is_open(run) || !claims->try_claim(run)) continue;  // an open run folds its own journal
      ClaimGuard guard(*claims, run);
      DeliveryJournal::remove(journal_path(canonical_db, run));
    }
  }
};

// The mailing a manual send acts on, after the SPEC §4 checks.
Mailing sendable_mailing(store::Database& db, const Actor& actor, Id mailing_id) {
  auto mailing = load_mailing(db, mailing_id);
  if (!mailing) throw Error(Errc::not_found, fmt::format("mailing {} not found", mailing_id));
  check_record(actor, mailing->owner, RecordAction::change, fmt::format("mailing {}", mailing_id));
  if (!mailing->enabled)
    throw Error(Errc::permission, fmt::format("mailing {} is disabled by a manager", mailing_id),
                NextStep::enable_mailing, mailing_id);
  auto owner = find_user(db, mailing->owner);
  if (!owner || !owner->active || !owner->verified)
    throw Error(Errc::permission,
                fmt::format("the owner of mailing {} is blocked or unverified", mailing_id));
  return *mailing;
}

void send_runs(SendContext& ctx, const std::vector<runs::RunInfo>& list) {
  for (const auto& r : list) ctx.process(r);
}

}  // namespace

SendSummary send_mailing_now(store::Database& db, const Config& config, const Actor& actor, Id mailing_id,
                             const SendRequest& request, Time now) {
  auto start = Clock::now();
  SendSummary summary;
  Mailing mailing = sendable_mailing(db, actor, mailing_id);
  if (mailing.status == schedule::Status::finished)
    throw Error(Errc::data, fmt::format("mailing {} is finished", mailing_id), NextStep::retry_failed,
                mailing_id);
  if (request.dry_run) {
    dry_run_mailing(db, config, mailing.id, mailing.owner, mailing.message, request, summary, now);
    return summary;
  }
  // A config that cannot reach the server (a username without its password) is said before
  // any run is made.
  (void)mail::smtp_settings(config);
  SendContext ctx(db, config, request, summary, now);
  Id run = 0;
  {
    store::Transaction tx(db);
    // Read again under the write lock: a `send --due` may have run (and finished) this
    // mailing since it was loaded above.
    auto status = db.mailings().status(mailing.id);
    if (!status) throw Error(Errc::not_found, fmt::format("mailing {} not found", mailing_id));
    if (*status == schedule::Status::finished)
      throw Error(Errc::data, fmt::format("mailing {} is finished", mailing_id),
                  "create a new mailing to send the message again");
    db.runs().resume_paused(mailing.id);
    if (mailing.every == schedule::Every::once) {
      // A once mailing has one run (SPEC §3). When cron or another `send` has started it,
      // this continues that run rather than sending everyone a second copy.
      run = db.runs().open_once_run(mailing.id).value_or(0);
    }
    if (run == 0) {
      run = db.runs().create_run(mailing.id, mailing.owner, "manual", now, now);
      if (mailing.every == schedule::Every::once)
        db.mailings().mark_running_next(mailing.id, std::nullopt);
      else
        db.mailings().mark_running(mailing.id);
    }
    tx.commit();
  }
  send_runs(ctx, db.runs().open_runs(now, run, true));
  runs::close_if_done(db, run, mailing.id, ctx.clock());
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

SendSummary send_retry_failed(store::Database& db, const Config& config, const Actor& actor, Id mailing_id,
                              const SendRequest& request, Time now) {
  auto start = Clock::now();
  SendSummary summary;
  Mailing mailing = sendable_mailing(db, actor, mailing_id);
  (void)mail::smtp_settings(config);
  SendContext ctx(db, config, request, summary, now);
  Id run = 0;
  {
    store::Transaction tx(db);
    // Each client's last attempt in this mailing (test copies aside) is what counts: one that
    // failed and was sent since is not retried.
    auto retry = db.runs().create_retry_run(mailing.id, mailing.owner, now);
    bool none = !retry;
    if (none) {
      tx.commit();
      summary.notes.push_back(fmt::format("mailing {} has no recipient whose last try failed", mailing.id));
      return summary;
    }
    run = *retry;
    tx.commit();
  }
  send_runs(ctx, db.runs().open_runs(now, run, true));
  runs::close_if_done(db, run, mailing.id, ctx.clock());
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

SendSummary send_test_copy(store::Database& db, const Config& config, const Actor& actor, Id mailing_id,
                           const std::string& email_in, const SendRequest& request, Time now) {
  auto start = Clock::now();
  SendSummary summary;
  Mailing mailing = sendable_mailing(db, actor, mailing_id);
  const std::string email = normalize_email(email_in, "to");
  // The owner's client with this address lends the copy its name, so the test shows what
  // that client would get.
  std::optional<Id> client;
  std::string name;
  if (auto known = db.clients().find_by_email(mailing.owner, email)) {
    client = known->id;
    name = known->name;
  }
  auto message = db.messages().message(mailing.message);
  if (!message) throw Error(Errc::not_found, fmt::format("message {} not found", mailing.message));
  mail::Composer composer(mail::MessageTemplate{message->subject, message->body_text, message->body_html});
  // Read before anything is recorded: a config without the password is everyone's error.
  mail::SmtpSettings settings = mail::smtp_settings(config);
  settings.connections = 1;
  Id run = 0;
  {
    store::Transaction tx(db);
    run = db.runs().create_test_run(mailing.id, now);
    tx.commit();
  }
  mail::ComposeContext context;
  context.from = config.smtp.from;
  context.date = request.clock ? request.clock() : now;
  context.message_id = mail::make_message_id(config.smtp.from);
  // A test copy's unsubscribe link leads nowhere: its token names no recipient of a real run.
  // Nor does it get the pixel or click redirects: `serve` would refuse that token, and the
  // links of a test copy must reach the shop for whoever tries them.
  if (!config.tracking_base_url.empty()) context.unsubscribe_url = config.tracking_base_url + "/u/TEST";
  // Its bounce, if any, goes to the bounce mailbox, where it is kept unmatched: no run of its own.
  mail::Envelope envelope{client.value_or(0), mail::envelope_address(email), {}, config.return_path};
  composer.compose(mail::Recipient{email, name}, context, envelope.data);
  const std::unique_ptr<mail::Transport> sender = mail::make_transport(request.transport, settings);
  bool given = false;
  mail::Delivery result;
  sender->run(
      [&]() -> std::optional<mail::Envelope> {
        if (given) return std::nullopt;
        given = true;
        return envelope;
      },
      [&](std::span<const mail::Delivery> batch) {
        if (!batch.empty()) result = batch.front();
      });
  summary.runs = 1;
  summary.total = 1;
  std::string status = "deferred";
  switch (result.verdict) {
    case policy::Verdict::sent:
      status = "sent";
      ++summary.sent;
      break;
    case policy::Verdict::bounced:
      status = "bounced";
      ++summary.bounced;
      break;
    case policy::Verdict::deferred:
      ++summary.deferred;
      break;
    case policy::Verdict::session_refused:
      ++summary.deferred;
      ++summary.unavailable;
      summary.unavailable_reason = result.response;
      break;
    case policy::Verdict::message_refused:
      ++summary.deferred;
      ++summary.data_errors;
      summary.notes.push_back("the SMTP server refused our message itself: " + result.response);
      break;
  }
  if (request.log) request.log(fmt::format("{}: {}: {}", email, status, result.response));
  Time at = request.clock ? request.clock() : now;
  store::Transaction tx(db);
  db.attempts().add_attempt(
      NewAttempt{run, mailing.id, client, email, at, status,
                 result.smtp_code > 0 ? std::optional<int>(result.smtp_code) : std::nullopt, result.response,
                 context.message_id});
  db.runs().finish_run(run, at);
  tx.commit();
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

SendSummary send_due(store::Database& db, const Config& config, const SendRequest& request, Time now,
                     const Actor* actor) {
  auto start = Clock::now();
  SendSummary summary;
  if (request.dry_run) {
    // It lists every user's recipients and messages.
    if (!actor)
      throw Error(Errc::permission, "a dry run of every user's mailings needs a session",
                  "log in as a manager or superuser");
    require_moderator(*actor, "a dry run of every user's mailings");
    dry_run_due(db, config, request, summary, now);
    return summary;
  }
  runs::create_due_runs(db, now);
  SendContext ctx(db, config, request, summary, now);
  ctx.settle();
  send_runs(ctx, db.runs().open_runs(now, std::nullopt, false));
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace mailer
