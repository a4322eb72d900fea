#pragma once
// `mailer blog` (SPEC §2): blog.cpp adds the command and its subcommands for the records;
// the static site is added by blog_export.cpp.
#include <CLI/CLI.hpp>

#include "context.hpp"

namespace mailer::cli {

// `mailer blog export DIR`: blog_export.cpp.
void add_blog_export(CLI::App& blog, Context& ctx);

}  // namespace mailer::cli
