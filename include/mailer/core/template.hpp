#pragma once
// A message's subject and bodies are mustache templates (SPEC §1 message): checked when the
// message is written, rendered for every recipient when it is sent.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mailer {

// Caps that keep a hostile template from reaching the renderer: mustache keeps a copy of
// every section's text per nesting level and walks sections recursively, so 20,000 nested
// sections took 3.5 GB and overflowed the stack.
inline constexpr std::size_t kMaxTemplateBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr int kMaxSectionDepth = 32;

// The values a template may use: {{name}}, {{email}} and {{unsubscribe_url}}. Viewed, not
// copied: they must outlive the render.
struct TemplateValues {
  std::string_view name;
  std::string_view email;
  std::string_view unsubscribe_url;
};

// Throws Error{Errc::data, "<field>: template error: <what>"} when `text` is longer than
// kMaxTemplateBytes, nests sections deeper than kMaxSectionDepth, is not a valid template
// (mustache's own message), or uses a variable other than name, email, unsubscribe_url (in any
// section, taken or not) or a partial. With !unsubscribe_available (no tracking.base_url, so
// the link would render empty) {{unsubscribe_url}} is refused too, except inside
// {{#unsubscribe_url}}...{{/unsubscribe_url}}. An empty value counts as false in sections:
// {{#name}}Dear {{name}}{{/name}}.
void check_template(std::string_view text, std::string_view field, bool unsubscribe_available = true);

// Renders one template; `html` selects HTML-escaping of the values (HTML parts only). Throws
// like check_template on a broken or oversized template; an unknown variable renders empty.
std::string render_template(std::string_view text, const TemplateValues& values, bool html);

// A message's three templates, parsed and checked once, then rendered for each recipient
// (100,000 a run: templates of plain text and variables skip mustache altogether). Not
// thread-safe: one per thread.
class MessageRenderer {
 public:
  // Throws like check_template, naming the field subject, body_text or body_html.
  MessageRenderer(std::string_view subject, std::string_view body_text,
                  const std::optional<std::string>& body_html);
  ~MessageRenderer();
  MessageRenderer(MessageRenderer&&) noexcept;
  MessageRenderer& operator=(MessageRenderer&&) noexcept;

  bool has_html() const;

  // Replaces `subject` and `text` with the rendered templates, and `html` when there is an
  // HTML body (left alone otherwise), reusing their capacity.
  void render(const TemplateValues& values, std::string& subject, std::string& text, std::string& html);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailer
