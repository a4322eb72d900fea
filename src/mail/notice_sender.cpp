// Account emails (verification, reset) go out through the configured SMTP server: the core
// composes their texts (core/notices) and calls a Notify; this is the Notify that sends.
#include "mailer/mail/notice_sender.hpp"

#include "mailer/mail/compose.hpp"
#include "mailer/mail/smtp_sender.hpp"

namespace mailer {

Notify smtp_notifier(const Config& config, Time now) {
  // Read now, before the command looks anything up: a missing password is then the same error
  // whether or not the address has an account.
  mail::SmtpSettings settings = mail::smtp_settings(config);
  settings.connections = 1;
  return [config, settings, now](const std::string& to, const std::string& subject, const std::string& body) {
    mail::ComposeContext context;
    context.from = config.smtp.from;
    context.date = now;
    context.message_id = mail::make_message_id(config.smtp.from);
    // The body is ours, not a user template: render it verbatim (no mustache tags in it).
    mail::MessageTemplate message{subject, body, std::nullopt};
    mail::Envelope envelope{
        0, mail::envelope_address(to), mail::compose(message, mail::Recipient{to, ""}, context), {}};
    mail::send_one(settings, envelope);
  };
}

}  // namespace mailer
