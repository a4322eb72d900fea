#pragma once
// The repository of runs of mailings and their run recipients (the send queue, SPEC §3), and
// the run claim: which live process is sending a run.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/runs.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

// Which process is sending a run. A claim is released by the driver the moment its holder
// dies (SQLite: a lock on the database file; PostgreSQL: an advisory lock), so a dead
// sender's run is taken over at once. Claims of two claimer objects exclude each other.
class RunClaimer {
 public:
  virtual ~RunClaimer() = default;
  // True when this object now holds the run; false when another live holder has it.
  virtual bool try_claim(Id run) = 0;
  // Gives the run up (nothing when not held).
  virtual void release(Id run) = 0;
  // True when a live holder other than this object has the run, without claiming it.
  virtual bool held(Id run) = 0;

  // True where several live processes send one run at once (PostgreSQL's fleet), each taking
  // its recipients by leases (RunStore::lease_page); false where a run has one sender.
  virtual bool shares_runs() const { return false; }
  // Joins the senders of a run: senders share it, try_claim (which settling takes) excludes
  // them all. Where runs are not shared, try_claim.
  virtual bool try_share(Id run) { return try_claim(run); }
  // This process's key as the owner of leases, held while this object lives as a lock the
  // server drops with the process, so that its leases are taken over the moment it dies; 0
  // where runs are not shared.
  virtual Id worker() { return 0; }
};

// Runs and run recipients. Writes join the caller's transaction (store::Transaction).
class RunStore {
 public:
  virtual ~RunStore() = default;

  // A new run with the mailing's recipients as of now (direct clients and group members,
  // each once, unsubscribed ones left out); its id. A `schedule` run is made once per
  // (mailing, slot): 0 when that slot has its run already.
  virtual Id create_run(Id mailing, Id owner, std::string_view trigger, Time scheduled_for, Time now) = 0;
  // A `retry` run for the clients whose last attempt in the mailing (test copies aside) failed
  // and who wait in no open run; nullopt (and no run) when there are none.
  virtual std::optional<Id> create_retry_run(Id mailing, Id owner, Time now) = 0;
  // A `test` run with no recipients, for one test copy.
  virtual Id create_test_run(Id mailing, Time now) = 0;
  // Sets a run's finished_at (a test run, once its copy is logged).
  virtual void finish_run(Id run, Time at) = 0;

  // The slot of the mailing's last scheduled or manual run, if it had one.
  virtual std::optional<Time> last_slot(Id mailing) = 0;
  // The mailing's runs not yet finished, test sends aside, by id.
  virtual std::vector<runs::OpenRun> open_runs_of(Id mailing) = 0;
  // The open schedule or manual run of a mailing, oldest first: what a `send` of a once
  // mailing continues.
  virtual std::optional<Id> open_once_run(Id mailing) = 0;
  // Runs (no test runs) with a recipient pending or deferred until `now`, whose mailing is
  // enabled and not stopped and whose owner is active and verified, by id; `only_run` picks
  // one; paused runs only `with_paused`.
  virtual std::vector<runs::RunInfo> open_runs(Time now, std::optional<Id> only_run, bool with_paused) = 0;
  // Open runs whose mailing is stopped or finished, or whose recipients are all done, by id.
  virtual std::vector<runs::RunInfo> runs_to_settle() = 0;
  // True when the run exists and is not finished.
  virtual bool is_open(Id run) = 0;
  // Whether a run may go on: gone, stopped, disabled, owner blocked, or none. Hot (asked every
  // fraction of a second of a send): a statement prepared once, and no read left open.
  virtual runs::Halt halt_of(Id run) = 0;

  // Marks an open run as `claimed_by`'s with its journal path; false when no open run has it.
  virtual bool claim(Id run, const std::string& claimed_by, const std::optional<std::string>& journal) = 0;
  // Records why a run stopped; `pause` keeps `send --due` off it until resume_paused().
  virtual void record_error(Id run, const std::string& error, Time now, bool pause) = 0;
  // The mailing's open paused runs are unpaused.
  virtual void resume_paused(Id mailing) = 0;

  // Recipients of the run that are not done.
  virtual std::size_t left_to_send(Id run) = 0;
  // Recipients a send of the run takes now: pending, or deferred until `now`, and subscribed.
  virtual std::size_t due_recipients(Id run, Time now) = 0;
  // The next `limit` of those, by client, after client `after` (0: from the start), into `out`
  // (cleared first). Hot: prepared once, and no read left open.
  virtual void recipients_page(Id run, Id after, Time now, int limit,
                               std::vector<runs::RunRecipient>& out) = 0;
  // Shared runs (RunClaimer::shares_runs): the next `limit` recipients due now, after client
  // `after`, leased to `worker` for `lease_ms` by the database's clock, into `out` (cleared
  // first), by client. A recipient leased to someone else is taken only when that lease ran
  // out or its owner's lock is gone (it died). Rows another worker is leasing at this moment
  // are skipped, not waited for. `orphans_only`: only recipients another worker had leased
  // (a second pass, which must not take again what this send deferred). Commits by itself.
  virtual void lease_page(Id run, Id worker, Id after, Time now, int limit, int lease_ms, bool orphans_only,
                          std::vector<runs::RunRecipient>& out) = 0;
  // Extends `worker`'s leases in the run by `lease_ms` from now; the clients whose lease it
  // still held, into `mine` (cleared first): a lease another worker took is not renewed.
  virtual void renew_leases(Id run, Id worker, int lease_ms, std::vector<Id>& mine) = 0;
  // Gives up `worker`'s leases in the run of recipients not done (the rest of a page a send
  // did not get to).
  virtual void release_leases(Id run, Id worker) = 0;

  // The mailing's recipients as of now (as create_run resolves them), by client; tries 0.
  virtual std::vector<runs::RunRecipient> resolve_recipients(Id mailing, Id owner) = 0;

  // Folds journaled results into the attempt log and the run's recipients; idempotent: a try
  // applies only while its recipient's tries still equal the record's, a record that is no
  // try (queued) or whose client was deleted is logged only when its Message-ID is not logged
  // yet, and records for clients of someone else's run are dropped. False, with nothing
  // written, when the run is gone. Hot: its statements are prepared once per store. Each result
  // logged now as a bounced attempt is appended to `bounced` when given (its bounce is recorded
  // by the caller, in the same transaction). With a `fence` (a worker of a shared run), a
  // result applies only while that worker still holds its recipient's lease; the others are
  // dropped, counted in fence->lost: another worker took them over (a newer attempt). A result
  // that applies ends its recipient's lease.
  virtual bool fold_results(Id run, Id mailing, std::span<const runs::DeliveryResult> results,
                            std::vector<runs::FoldedBounce>* bounced = nullptr,
                            runs::LeaseFence* fence = nullptr) = 0;
  // Marks done the recipients who unsubscribed; then, when none is left to send (or the
  // mailing was stopped), closes the run at `now` (forgetting its journal) and finishes the
  // mailing when it has no slot and no open run left. True when nothing was left to send.
  virtual bool close_if_done(Id run, Id mailing, Time now) = 0;
};

}  // namespace mailer::store
