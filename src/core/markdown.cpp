#include "mailer/core/markdown.hpp"

#include <cmark.h>

#include <cstdlib>
#include <memory>

#include "mailer/base/utf8.hpp"

namespace mailer {
namespace {

constexpr int kOptions = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;

struct NodeFree {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterFree {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
struct CharsFree {
  void operator()(char* text) const { std::free(text); }
};

bool is_block_break(cmark_node_type type) {
  switch (type) {
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_THEMATIC_BREAK:
      return true;
    default:
      return false;
  }
}

void append_space(std::string& out) {
  if (!out.empty() && out.back() != ' ') out += ' ';
}

// `text` cut to at most `max_chars` code points, at the last space before the cut when there
// is one, with "…" (one code point) in place of what was cut.
std::string cut_at_word(const std::string& text, std::size_t max_chars) {
  if (max_chars == 0) return {};
  std::size_t i = 0, count = 0;
  std::size_t keep = 0;  // bytes of the first max_chars - 1 code points
  while (i < text.size()) {
    if (count + 1 == max_chars) keep = i;
    utf8::decode(text, i);
    ++count;
  }
  if (count <= max_chars) return text;
  std::size_t end = keep;
  const std::size_t space = text.rfind(' ', keep);
  if (space != std::string::npos && space > keep / 2) end = space;
  std::string out = text.substr(0, end);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\u2026";
}

}  // namespace

std::string markdown_to_html(std::string_view markdown) {
  std::unique_ptr<char, CharsFree> html(cmark_markdown_to_html(markdown.data(), markdown.size(), kOptions));
  return html ? std::string(html.get()) : std::string();
}

std::string markdown_excerpt(std::string_view markdown, std::size_t max_chars) {
  std::unique_ptr<cmark_node, NodeFree> doc(cmark_parse_document(markdown.data(), markdown.size(), kOptions));
  if (!doc) return {};
  std::string text;
  std::unique_ptr<cmark_iter, IterFree> iter(cmark_iter_new(doc.get()));
  for (cmark_event_type ev; (ev = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(iter.get());
    const cmark_node_type type = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_EXIT) {
      if (is_block_break(type)) append_space(text);
      continue;
    }
    switch (type) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
      case CMARK_NODE_CODE_BLOCK:
        if (const char* literal = cmark_node_get_literal(node)) text += literal;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        append_space(text);
        break;
      default:
        break;
    }
  }
  for (char& c : text)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return cut_at_word(text, max_chars);
}

}  // namespace mailer
