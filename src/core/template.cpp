// Message templates (SPEC §1): one scan of the tags checks a template and caps it before
// mustache sees it; mustache (kainjow) parses and renders only templates with sections.
#include "mailer/core/template.hpp"

#include <fmt/format.h>

#include <array>
#include <kainjow/mustache.hpp>
#include <utility>
#include <vector>

#include "mailer/base/error.hpp"

namespace mailer {
namespace {

using Data = kainjow::mustache::data;
using Mustache = kainjow::mustache::mustache;

enum Var : int { kName, kEmail, kUnsubscribeUrl, kVarCount };

int var_of(std::string_view name) {
  if (name == "name") return kName;
  if (name == "email") return kEmail;
  if (name == "unsubscribe_url") return kUnsubscribeUrl;
  return -1;
}

Error template_error(std::string_view field, std::string_view what, const char* hint) {
  return Error(Errc::data, fmt::format("{}: template error: {}", field, what), hint);
}

constexpr const char* kSyntaxHint = "close every {{tag}} with }}, and every {{#section}} with {{/section}}";
constexpr const char* kVariableHint = "the variables are {{name}}, {{email}} and {{unsubscribe_url}}";

// std::isspace in the C locale, as kainjow trims tags and checks delimiters.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// kainjow's parse_set_delimiter_tag, rule for rule: the scan must change delimiters exactly
// where mustache does, or a section could hide from the depth count.
bool parse_delimiters(std::string_view contents, std::string& begin, std::string& end) {
  if (contents.size() < 5 || contents.back() != '=') return false;
  std::string_view inner = trim(contents.substr(1, contents.size() - 2));
  std::size_t space = inner.find(' ');
  if (space == std::string_view::npos) return false;
  std::size_t next = inner.find_first_not_of(' ', space + 1);
  if (next == std::string_view::npos) return false;
  auto valid = [](std::string_view d) {
    for (char c : d)
      if (c == '=' || is_space(c)) return false;
    return true;
  };
  std::string_view b = inner.substr(0, space), e = inner.substr(next);
  if (!valid(b) || !valid(e)) return false;
  begin = b;
  end = e;
  return true;
}

// Literal text, then a variable (var < 0: none).
struct Segment {
  std::size_t begin, size;
  int var;
  bool unescaped;  // {{{name}}} or {{&name}}
};

struct Scan {
  bool plain = true;              // text and variable tags only: renders as the text with the values put in
  bool broken = false;            // a tag mustache refuses (its parser says why)
  std::string problem;            // the first unknown variable or partial
  bool bare_unsubscribe = false;  // {{unsubscribe_url}} outside {{#unsubscribe_url}}
  std::vector<Segment> segments;  // when plain
};

// The check's single walk: it reads every tag in the order mustache's parser does (delimiter
// changes and triple braces included) without evaluating anything, so every section is
// visited, taken or not, inverted or not; no render is needed to find unknown names. Throws
// before mustache is involved when sections nest too deep.
Scan scan_tags(std::string_view text, std::string_view field) {
  Scan s;
  std::string open_delim = "{{", close_delim = "}}";
  bool braces = true;
  std::array<int, kMaxSectionDepth + 1> sections{};  // the variable of each open section
  int depth = 0;
  std::size_t pos = 0, literal = 0;
  auto note = [&](std::string_view name) {
    int var = var_of(name);
    if (var >= 0 || (name == "." && depth > 0)) return var;
    if (s.problem.empty()) s.problem = fmt::format("unknown variable {{{{{}}}}}", name);
    return var;
  };
  while (true) {
    std::size_t open = text.find(open_delim, pos);
    if (open == std::string_view::npos) break;
    std::size_t contents = open + open_delim.size();
    // As kainjow: "{{{" opens an unescaped variable closed by "}}}" (default delimiters only).
    const bool triple = braces && open != text.size() - 2 && text[contents] == '{';
    std::string_view closing = triple ? std::string_view("}}}") : std::string_view(close_delim);
    if (triple) ++contents;
    std::size_t close = text.find(closing, contents);
    if (close == std::string_view::npos) {
      s.broken = true;
      break;
    }
    std::string_view tag = trim(text.substr(contents, close - contents));
    pos = close + closing.size();
    if (!tag.empty() && tag.front() == '=') {
      s.plain = false;
      if (!parse_delimiters(tag, open_delim, close_delim)) {
        s.broken = true;
        break;
      }
      braces = open_delim == "{{" && close_delim == "}}";
      continue;
    }
    // kainjow's parse_tag_contents: a sigil, then the name; no sigil is a variable.
    char kind = triple ? '&' : 'v';
    std::string_view name = tag;
    if (!triple && !tag.empty() && std::string_view("#^/>&!").find(tag.front()) != std::string_view::npos) {
      kind = tag.front();
      name = trim(tag.substr(1));
    }
    if (kind == 'v' || kind == '&') {
      int var = note(name);
      if (var == kUnsubscribeUrl) {
        bool guarded = false;
        for (int i = 0; i < depth; ++i)
          guarded = guarded || sections[static_cast<std::size_t>(i)] == kUnsubscribeUrl;
        s.bare_unsubscribe = s.bare_unsubscribe || !guarded;
      }
      if (var < 0) s.plain = false;
      if (s.plain) s.segments.push_back(Segment{literal, open - literal, var, kind == '&'});
      literal = pos;
      continue;
    }
    s.plain = false;
    if (kind == '#' || kind == '^') {
      int var = note(name);
      if (depth == kMaxSectionDepth)
        throw template_error(field, fmt::format("sections nested more than {} deep", kMaxSectionDepth),
                             "nest fewer {{#section}}s");
      sections[static_cast<std::size_t>(depth++)] = kind == '#' ? var : -1;
    } else if (kind == '/') {
      if (depth == 0) {
        s.broken = true;
        break;
      }
      --depth;
    } else if (kind == '>' && s.problem.empty()) {
      s.problem = fmt::format("partials are not supported: {{{{>{}}}}}", name);
    }
  }
  if (depth != 0) s.broken = true;
  if (s.plain && !s.broken) s.segments.push_back(Segment{literal, text.size() - literal, -1, false});
  return s;
}

// The template variables, looked up by mustache through this context instead of a data
// map, so that each copy only swaps three values.
class Vars final : public kainjow::mustache::basic_context<std::string> {
 public:
  Vars() {
    for (auto& d : data_) d = Data(false);
  }

  void set(const TemplateValues& values) {
    values_ = {values.name, values.email, values.unsubscribe_url};
    data_current_ = false;
  }

  std::string_view value(int var) const { return values_[static_cast<std::size_t>(var)]; }

  // Builds mustache's values; only templates with sections need them, so most copies
  // never pay for these allocations.
  void prepare() {
    if (data_current_) return;
    // An empty value is false, so {{#name}}...{{/name}} skips a recipient without a name
    // (kainjow treats every string, even "", as true).
    for (std::size_t i = 0; i < kVarCount; ++i)
      data_[i] = values_[i].empty() ? Data(false) : Data(std::string(values_[i]));
    data_current_ = true;
  }

  void push(const Data* data) override { stack_.push_back(data); }
  void pop() override { stack_.pop_back(); }

  const Data* get(const std::string& name) const override {
    if (int var = var_of(name); var >= 0) return &data_[static_cast<std::size_t>(var)];
    if (name == "." && !stack_.empty()) return stack_.back();
    return nullptr;
  }

  const Data* get_partial(const std::string&) const override { return nullptr; }

 private:
  std::array<std::string_view, kVarCount> values_;
  std::array<Data, kVarCount> data_;
  bool data_current_ = false;
  std::vector<const Data*> stack_;
};

struct StringSink {
  std::string& out;
  StringSink& operator<<(const std::string& s) {
    out += s;
    return *this;
  }
};

// The same five characters as kainjow's html_escape, so both render paths agree.
void append_html_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

class Template {
 public:
  Template() = default;

  // `check` refuses unknown variables and partials; the size and depth caps always apply.
  Template(std::string_view text, std::string_view field, bool html, bool check,
           bool unsubscribe_available = true)
      : text_(text), html_(html) {
    if (text.size() > kMaxTemplateBytes)
      throw template_error(field, fmt::format("longer than {} bytes (1 MiB)", kMaxTemplateBytes),
                           "write a shorter message");
    Scan scan = scan_tags(text, field);
    if (!scan.plain || scan.broken) {
      tmpl_ = std::make_unique<Mustache>(text_);
      if (!tmpl_->is_valid()) throw template_error(field, tmpl_->error_message(), kSyntaxHint);
      // The scan could not follow a tag that mustache took: its depth count is not to be trusted.
      if (scan.broken) throw template_error(field, "a tag that cannot be read", kSyntaxHint);
      if (!html) tmpl_->set_custom_escape([](const std::string& s) { return s; });
    }
    if (check && !scan.problem.empty()) throw template_error(field, scan.problem, kVariableHint);
    if (check && !unsubscribe_available && scan.bare_unsubscribe)
      throw Error(
          Errc::data,
          fmt::format("{}: {{{{unsubscribe_url}}}} would be empty: tracking.base_url is not set", field),
          "set tracking.base_url in the config, or take {{unsubscribe_url}} out");
    segments_ = std::move(scan.segments);
  }

  void render(Vars& vars, std::string& out) {
    if (tmpl_) {
      vars.prepare();
      StringSink sink{out};
      tmpl_->render(vars, sink);
      return;
    }
    for (const Segment& seg : segments_) {
      out.append(text_, seg.begin, seg.size);
      if (seg.var < 0) continue;
      if (html_ && !seg.unescaped) {
        append_html_escaped(out, vars.value(seg.var));
      } else {
        out += vars.value(seg.var);
      }
    }
  }

 private:
  std::string text_;
  bool html_ = false;
  std::vector<Segment> segments_;   // used when tmpl_ is null
  std::unique_ptr<Mustache> tmpl_;  // null: the template is plain
};

}  // namespace

void check_template(std::string_view text, std::string_view field, bool unsubscribe_available) {
  Template checked(text, field, false, true, unsubscribe_available);
}

std::string render_template(std::string_view text, const TemplateValues& values, bool html) {
  Template tmpl(text, "template", html, false);
  Vars vars;
  vars.set(values);
  std::string out;
  tmpl.render(vars, out);
  return out;
}

struct MessageRenderer::Impl {
  Template subject, text;
  std::optional<Template> html;
  Vars vars;
};

MessageRenderer::MessageRenderer(std::string_view subject, std::string_view body_text,
                                 const std::optional<std::string>& body_html)
    : impl_(std::make_unique<Impl>()) {
  impl_->subject = Template(subject, "subject", false, true);
  impl_->text = Template(body_text, "body_text", false, true);
  if (body_html) impl_->html.emplace(*body_html, "body_html", true, true);
}

MessageRenderer::~MessageRenderer() = default;
MessageRenderer::MessageRenderer(MessageRenderer&&) noexcept = default;
MessageRenderer& MessageRenderer::operator=(MessageRenderer&&) noexcept = default;

bool MessageRenderer::has_html() const { return impl_->html.has_value(); }

void MessageRenderer::render(const TemplateValues& values, std::string& subject, std::string& text,
                             std::string& html) {
  Impl& m = *impl_;
  m.vars.set(values);
  subject.clear();
  m.subject.render(m.vars, subject);
  text.clear();
  m.text.render(m.vars, text);
  if (m.html) {
    html.clear();
    m.html->render(m.vars, html);
  }
}

}  // namespace mailer
