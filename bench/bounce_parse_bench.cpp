// Reports parsed per second over the corpus (issue 12, item 7): every file of a folder
// (default tests/data/bounces) read into memory once, then parsed round after round for at
// least SECONDS (default 3), GMime's MIME reading and our classification included. Prints
// figures; never passes or fails on time. sisimai (Perl) decodes some 660 a second.
//
//   build-bench/bounce_parse_bench [DIR] [SECONDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mailer/bounces/mime.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path dir =
      argc > 1 ? fs::path(argv[1]) : fs::path(MAILER_SOURCE_DIR) / "tests" / "data" / "bounces";
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  std::vector<std::string> reports;
  std::size_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    reports.push_back(ss.str());
    bytes += reports.back().size();
  }
  if (reports.empty()) {
    std::fprintf(stderr, "bounce_parse_bench: no .eml file in %s\n", dir.c_str());
    return 66;
  }
  using Clock = std::chrono::steady_clock;
  std::size_t parsed = 0, failures = 0;
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  double elapsed = 0;
  do {
    for (const std::string& report : reports)
      failures += mailer::bounces::parse_message(report).failures.size();
    parsed += reports.size();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  // CPU time too: on a machine shared with other work the wall clock says little.
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf("bounce_parse_bench: %zu reports (%.1f KiB) from %s, %zu rounds in %.2f s\n", reports.size(),
              bytes / 1024.0, dir.c_str(), parsed / reports.size(), elapsed);
  std::printf(
      "  %.0f reports/s of wall time, %.0f per CPU second; %.1f MiB/s, %zu recipients a round "
      "(target 10,000/s; sisimai ~660/s)\n",
      parsed / elapsed, parsed / cpu, bytes * (parsed / reports.size()) / elapsed / (1024.0 * 1024.0),
      failures / (parsed / reports.size()));
  return 0;
}
