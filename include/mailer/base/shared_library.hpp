#pragma once
// A Debian library loaded on first use rather than linked: libcurl and libidn2 pull in
// dependencies whose loading would cost every process (most of them cron ticks with nothing
// to send) milliseconds at start.
#include <string>

namespace mailer {

class SharedLibrary {
 public:
  // dlopen()s `soname` for the life of the process. Throws Error{config} naming `package`,
  // the Debian package that provides it, when it cannot be loaded.
  SharedLibrary(const char* soname, const char* package);

  // Sets `out` to the entry point `name`; throws Error{config} when the library lacks it.
  template <class Fn>
  void resolve(const char* name, Fn& out) const {
    out = reinterpret_cast<Fn>(symbol(name));
  }

 private:
  void* symbol(const char* name) const;
  void* handle_ = nullptr;
  std::string soname_;
  std::string package_;
};

}  // namespace mailer
