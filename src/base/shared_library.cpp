#include "mailer/base/shared_library.hpp"

#include <dlfcn.h>

#include "mailer/base/error.hpp"

namespace mailer {

SharedLibrary::SharedLibrary(const char* soname, const char* package) : soname_(soname), package_(package) {
  handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = ::dlerror();
    throw Error(Errc::config, "cannot load " + soname_ + ": " + (why ? why : "unknown error"),
                "install Debian's " + package_);
  }
}

void* SharedLibrary::symbol(const char* name) const {
  void* symbol = ::dlsym(handle_, name);
  if (!symbol) throw Error(Errc::config, soname_ + " lacks " + name, "install Debian's " + package_);
  return symbol;
}

}  // namespace mailer
