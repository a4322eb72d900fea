# Installation and the Debian package, laid out as Debian's own packages are (included at the end
# of CMakeLists.txt). `cmake --install build --prefix /usr` or `cpack -G DEB` in the build folder.
include(GNUInstallDirs)

install(TARGETS mailer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `mailer serve`'s module, private to mailer (Debian policy: /usr/lib/<package>).
install(TARGETS mailer_serve_module LIBRARY DESTINATION lib/mailer)
# `mailer bounces`' parser on GMime, in a module for the same reason (a start without GLib).
install(TARGETS mailer_bounces_module LIBRARY DESTINATION lib/mailer)
install(FILES ${CMAKE_SOURCE_DIR}/man/mailer.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# Where bash-completion, zsh and fish look for vendors' completions (each loads them by name).
install(FILES ${CMAKE_SOURCE_DIR}/completions/mailer.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mailer)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_mailer DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${CMAKE_SOURCE_DIR}/completions/mailer.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# share/doc/mailer: the sample configuration, the README and the examples (scripts stay executable).
install(FILES ${CMAKE_SOURCE_DIR}/mailer.toml.sample ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        USE_SOURCE_PERMISSIONS)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mailer)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "mailer maintainers <mailer@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "email campaigns from the command line, kept in one SQLite database")
# The summary is the Description's first line; this text the extended one (CPack indents it).
set(CPACK_PACKAGE_DESCRIPTION "mailer keeps recipients, groups, messages, scheduled mailings and every
delivery attempt in one SQLite file, and sends through any SMTP server. cron runs
`mailer send --due` once a minute; reports show how each delivery ended, with the
server's reply.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# dpkg-shlibdeps names the linked libraries (libc6, libstdc++6, libsqlite3-0, libsodium23, ...,
# and the modules' libcpp-httplib0.11 and libgmime-3.0-0);
# libcurl and libidn2 are loaded with dlopen on first use (src/mail/curl_api.cpp,
# src/base/idn.cpp), which it cannot see, so they are named here by the packages holding
# libcurl.so.4 and libidn2.so.0.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, libidn2-0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cron")
# Loaded only when a database is a postgresql:// URL.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libpq5")
include(CPack)

if(MAILER_TESTS)
  # Installs into a DESTDIR and checks every file; builds the .deb and checks its Depends.
  add_test(NAME "packaging: cmake --install and cpack -G DEB lay the files out as Debian does"
    COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/packaging/test_install.py -v)
  set_tests_properties("packaging: cmake --install and cpack -G DEB lay the files out as Debian does"
    PROPERTIES ENVIRONMENT "MAILER_BUILD_DIR=${CMAKE_BINARY_DIR};CMAKE_COMMAND=${CMAKE_COMMAND};CPACK_COMMAND=${CMAKE_CPACK_COMMAND};PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 600)
  # Every command, subcommand and flag of `mailer --help` is in the man page and the completions.
  add_test(NAME "docs: man page and completions name every command and flag of --help"
    COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/docs/check_cli_docs.py $<TARGET_FILE:mailer>
            ${CMAKE_SOURCE_DIR})
endif()
