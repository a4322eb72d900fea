#include "dry_run.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/schedule.hpp"
#include "mailer/core/tracking.hpp"
#include "mailer/mail/compose.hpp"
#include "mailer/mail/tracking_links.hpp"

namespace mailer {

void dry_run_mailing(store::Database& db, const Config& config, Id mailing, Id owner, Id message,
                     const SendRequest& request, SendSummary& summary, Time now) {
  auto stored = db.messages().message(message);
  if (!stored) throw Error(Errc::not_found, fmt::format("message {} not found", message));
  mail::MessageTemplate tmpl{stored->subject, stored->body_text, stored->body_html};
  mail::Composer composer(tmpl);
  std::string data;
  // The pixel and links as a run adds them, so that the sizes are those of the real copies;
  // the token is a placeholder, which `serve` refuses.
  std::optional<mail::TrackingLinks> tracking;
  if (!config.tracking_base_url.empty()) tracking = mail::tracking_links(config, tracking_key(db));
  ++summary.runs;
  for (const auto& rec : db.runs().resolve_recipients(mailing, owner)) {
    mail::ComposeContext context;
    context.from = config.smtp.from;
    context.date = request.clock ? request.clock() : now;
    context.message_id = mail::make_message_id(config.smtp.from);
    if (!config.tracking_base_url.empty()) {
      context.tracking_token = "DRY-RUN";
      context.unsubscribe_url = unsubscribe_url(config.tracking_base_url, context.tracking_token);
      if (tracking) context.tracking = &*tracking;
    }
    mail::Recipient to{rec.email, rec.name};
    composer.compose(to, context, data);
    ++summary.total;
    if (request.dry_run_out)
      request.dry_run_out->push_back(
          DryRunCopy{mailing, to.email, mail::render_template(tmpl.subject, to, "", false), data.size()});
  }
}

void dry_run_due(store::Database& db, const Config& config, const SendRequest& request, SendSummary& summary,
                 Time now) {
  for (const auto& d : db.mailings().due(now)) {
    schedule::MailingState state;
    state.enabled = d.enabled;
    state.status = schedule::parse_status(d.status).value_or(schedule::Status::created);
    state.next_run_at = d.next_run_at;
    state.end_at = d.end_at;
    state.owner_can_send = d.owner_can_send;
    if (schedule::is_due(state, now))
      dry_run_mailing(db, config, d.id, d.owner, d.message, request, summary, now);
  }
}

}  // namespace mailer
