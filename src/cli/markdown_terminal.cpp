// A post's Markdown on a terminal: cmark's tree walked once, each block laid out in lines behind
// the prefixes of the quotes and list items it sits in, paragraphs wrapped by display width.
//
// The layout, the same with and without styles but for the SGR escapes:
//   heading      bold (level 1 also underlined); plain: the text over a line of '=' (level 1)
//                or '-' (levels 2 to 6) as wide as the text
//   emphasis     italic for *em*, bold for **strong**; plain: the markers are kept (*em*, **strong**)
//   inline code  `code`, backticks kept both ways
//   link         text <url> (text underlined, url dim); the url alone when it is the text
//   image        [image: alt] <url>
//   list         "• " or "1. " (the list's start number, numbers right-aligned, its '.' or ')');
//                what an item holds, wrapped lines and nested lists too, aligned under its text
//   block quote  "│ " ahead of every line
//   code block   indented 4, never wrapped, tabs expanded to 4-column stops
//   rule         a line of '─' as wide as the text
//   raw HTML     nothing (CMARK_OPT_SAFE's omission); the text between inline tags stays
// Blocks are one blank line apart, but within a tight list. Every control character of the
// post is shown as utf8::visible's escape, so no escape byte of the post reaches the terminal.
#include "markdown_terminal.hpp"

#include <cmark.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "mailer/base/utf8.hpp"
#include "styled_words.hpp"
#include "text_width.hpp"

namespace mailer::cli {
namespace {

constexpr int kOptions = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
constexpr std::size_t kMinWidth = 20;
constexpr std::size_t kMinColumns = 10;  // text columns left to a block however deep it sits
constexpr std::size_t kTabStop = 4;

struct NodeFree {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterFree {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};

std::string repeat(std::string_view unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += unit;
  return out;
}

const char* literal_of(cmark_node* node) {
  const char* literal = cmark_node_get_literal(node);
  return literal ? literal : "";
}

std::string url_of(cmark_node* node) {
  const char* url = cmark_node_get_url(node);
  return url ? url : "";
}

// The text of a link's or an image's content, without its markup.
std::string plain_text(cmark_node* node) {
  std::string text;
  std::unique_ptr<cmark_iter, IterFree> iter(cmark_iter_new(node));
  for (cmark_event_type ev; (ev = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
    cmark_node* child = cmark_iter_get_node(iter.get());
    if (ev != CMARK_EVENT_ENTER) continue;
    const cmark_node_type type = cmark_node_get_type(child);
    if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) text += literal_of(child);
    if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) text += ' ';
  }
  return text;
}

// A link whose text is its address (an autolink, <a@b.org> for mailto:a@b.org) shows it once.
bool url_is_text(cmark_node* link) {
  const std::string url = url_of(link);
  const std::string text = plain_text(link);
  return text.empty() || text == url || "mailto:" + text == url;
}

// A code block's line with its tabs expanded and its controls escaped.
std::string code_line(std::string_view line) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1) {
    out += utf8::visible(line.substr(start, tab - start));
    out.append(kTabStop - display_width(out) % kTabStop, ' ');
  }
  return out + utf8::visible(line.substr(start));
}

class Renderer {
 public:
  Renderer(std::size_t width, bool styled) : width_(std::max(width, kMinWidth)), styled_(styled) {}

  void visit(cmark_event_type ev, cmark_node* node) {
    if (skip_ != nullptr) {
      if (ev == CMARK_EVENT_EXIT && node == skip_) skip_ = nullptr;
      return;
    }
    ev == CMARK_EVENT_ENTER ? enter(node) : exit(node);
  }

  std::string finish() {
    while (!lines_.empty() && lines_.back().empty()) lines_.pop_back();
    std::string out;
    for (const std::string& line : lines_) out += line + '\n';
    return out.empty() ? "\n" : out;
  }

 private:
  // A block quote, a list or a list item: the prefix it gives its first line and the others.
  struct Frame {
    enum Kind { quote, list, item } kind;
    std::string first, rest;
    bool started = false;  // its first line is out
    bool tight = false, ordered = false;
    char delimiter = '.';
    long next = 1;
    std::size_t number_width = 0;
  };

  unsigned style() const {
    return (emphasis_ > 0 ? kItalic : 0) | (strong_ > 0 ? kBold : 0) | (link_ > 0 ? kUnderline : 0) |
           heading_style_;
  }

  void enter(cmark_node* node) {
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_BLOCK_QUOTE:
        frames_.push_back({Frame::quote, "│ ", "│ "});
        break;
      case CMARK_NODE_LIST:
        enter_list(node);
        break;
      case CMARK_NODE_ITEM:
        enter_item();
        break;
      case CMARK_NODE_PARAGRAPH:
        inlines_.clear();
        break;
      case CMARK_NODE_HEADING:
        inlines_.clear();
        heading_style_ = kBold | (cmark_node_get_heading_level(node) == 1 ? kUnderline : 0);
        break;
      case CMARK_NODE_CODE_BLOCK:
        code_block(literal_of(node));
        break;
      case CMARK_NODE_THEMATIC_BREAK:
        begin_block();
        emit(styled_ ? sgr(kDim) + repeat("─", columns()) + "\x1b[0m" : repeat("─", columns()));
        end_block();
        break;
      case CMARK_NODE_TEXT:
        inlines_.text(literal_of(node), style());
        break;
      case CMARK_NODE_CODE:
        inlines_.text(std::string("`") + literal_of(node) + "`", style());
        break;
      case CMARK_NODE_SOFTBREAK:
        inlines_.space();
        break;
      case CMARK_NODE_LINEBREAK:
        inlines_.hard_break();
        break;
      case CMARK_NODE_EMPH:
        if (!styled_) inlines_.text("*", style());
        ++emphasis_;
        break;
      case CMARK_NODE_STRONG:
        if (!styled_) inlines_.text("**", style());
        ++strong_;
        break;
      case CMARK_NODE_LINK:
        if (url_is_text(node)) {
          const std::string text = plain_text(node);
          inlines_.text(text.empty() ? url_of(node) : text, style() | kUnderline);
          skip_ = node;
        } else {
          ++link_;
        }
        break;
      case CMARK_NODE_IMAGE: {
        const std::string alt = plain_text(node);
        inlines_.text(alt.empty() ? "[image]" : "[image: " + alt + "]", style());
        if (const std::string url = url_of(node); !url.empty()) {
          inlines_.space();
          inlines_.text("<" + url + ">", style() | kDim);
        }
        skip_ = node;
        break;
      }
      default:  // the document; raw HTML, blocks and inline, shows nothing
        break;
    }
  }

  void exit(cmark_node* node) {
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_BLOCK_QUOTE:
      case CMARK_NODE_ITEM:
        if (!frames_.back().started) {  // an empty item or quote still shows its marker
          begin_block();
          emit("");
        }
        frames_.pop_back();
        end_block();
        break;
      case CMARK_NODE_LIST:
        frames_.pop_back();
        end_block();
        break;
      case CMARK_NODE_PARAGRAPH:
        paragraph(false, 0);
        break;
      case CMARK_NODE_HEADING:
        paragraph(true, cmark_node_get_heading_level(node));
        heading_style_ = 0;
        break;
      case CMARK_NODE_EMPH:
        --emphasis_;
        if (!styled_) inlines_.text("*", style());
        break;
      case CMARK_NODE_STRONG:
        --strong_;
        if (!styled_) inlines_.text("**", style());
        break;
      case CMARK_NODE_LINK:
        --link_;
        if (const std::string url = url_of(node); !url.empty()) {
          inlines_.space();
          inlines_.text("<" + url + ">", style() | kDim);
        }
        break;
      default:
        break;
    }
  }

  void enter_list(cmark_node* node) {
    Frame list{Frame::list, "", ""};
    list.tight = cmark_node_get_list_tight(node) != 0;
    list.ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
    list.delimiter = cmark_node_get_list_delim(node) == CMARK_PAREN_DELIM ? ')' : '.';
    list.next = cmark_node_get_list_start(node);
    long items = 0;
    for (cmark_node* child = cmark_node_first_child(node); child; child = cmark_node_next(child)) ++items;
    list.number_width = std::to_string(list.next + std::max(items - 1, 0L)).size();
    frames_.push_back(std::move(list));
  }

  void enter_item() {
    Frame& list = frames_.back();
    std::string marker = "• ";
    if (list.ordered) {
      const std::string number = std::to_string(list.next++);
      marker = std::string(list.number_width - std::min(number.size(), list.number_width), ' ') + number +
               list.delimiter + ' ';
    }
    const std::string rest(display_width(marker), ' ');
    frames_.push_back({Frame::item, std::move(marker), rest});
  }

  void paragraph(bool heading, int level) {
    if (inlines_.empty()) return;  // nothing but raw HTML
    begin_block();
    std::size_t widest = 0;
    for (const StyledWords::Line& line : inlines_.wrap(columns())) {
      emit(StyledWords::render(line, styled_));
      widest = std::max(widest, line.width);
    }
    if (heading && !styled_) emit(std::string(widest, level == 1 ? '=' : '-'));
    inlines_.clear();
    end_block();
  }

  void code_block(std::string_view code) {
    if (!code.empty() && code.back() == '\n') code.remove_suffix(1);
    if (code.empty()) return;
    begin_block();
    std::size_t start = 0;
    for (std::size_t end; (end = code.find('\n', start)) != std::string_view::npos; start = end + 1)
      emit("    " + code_line(code.substr(start, end - start)));
    emit("    " + code_line(code.substr(start)));
    end_block();
  }

  // Text columns a block has behind the prefixes of its frames.
  std::size_t columns() const {
    std::size_t taken = 0;
    for (const Frame& frame : frames_) taken += display_width(frame.rest);
    return taken + kMinColumns > width_ ? kMinColumns : width_ - taken;
  }

  // In a tight list no blank line parts the blocks of an item nor the items.
  bool tight() const {
    if (frames_.empty()) return false;
    if (frames_.back().kind == Frame::item) return frames_.size() > 1 && frames_[frames_.size() - 2].tight;
    return frames_.back().kind == Frame::list && frames_.back().tight;
  }

  void begin_block() {
    if (blank_ && !lines_.empty()) {
      std::string line;
      for (const Frame& frame : frames_)
        line += frame.started ? frame.rest : std::string(display_width(frame.rest), ' ');
      while (!line.empty() && line.back() == ' ') line.pop_back();
      lines_.push_back(std::move(line));
    }
    blank_ = false;
  }

  void end_block() { blank_ = !tight(); }

  void emit(std::string_view content) {
    std::string line;
    for (Frame& frame : frames_) {
      line += frame.started ? frame.rest : frame.first;
      frame.started = true;
    }
    line += content;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines_.push_back(std::move(line));
  }

  std::size_t width_;
  bool styled_;
  std::vector<Frame> frames_;
  StyledWords inlines_;
  std::vector<std::string> lines_;
  bool blank_ = false;  // a blank line is due before the next block
  int emphasis_ = 0, strong_ = 0, link_ = 0;
  unsigned heading_style_ = 0;
  cmark_node* skip_ = nullptr;  // a link or image already shown whole: its content is passed over
};

}  // namespace

std::string render_markdown_for_terminal(std::string_view markdown, std::size_t width, bool styled) {
  Renderer renderer(width, styled);
  std::unique_ptr<cmark_node, NodeFree> doc(cmark_parse_document(markdown.data(), markdown.size(), kOptions));
  if (!doc) return renderer.finish();
  std::unique_ptr<cmark_iter, IterFree> iter(cmark_iter_new(doc.get()));
  for (cmark_event_type ev; (ev = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;)
    renderer.visit(ev, cmark_iter_get_node(iter.get()));
  return renderer.finish();
}

}  // namespace mailer::cli
