// The names of reasons and severities, as output and stored.
#include "mailer/bounces/report.hpp"

#include <array>
#include <utility>

namespace mailer::bounces {
namespace {

constexpr std::pair<Reason, const char*> kNames[] = {
    {Reason::undefined, "undefined"},
    {Reason::userunknown, "userunknown"},
    {Reason::hostunknown, "hostunknown"},
    {Reason::hasmoved, "hasmoved"},
    {Reason::mailboxfull, "mailboxfull"},
    {Reason::suspend, "suspend"},
    {Reason::mesgtoobig, "mesgtoobig"},
    {Reason::exceedlimit, "exceedlimit"},
    {Reason::blocked, "blocked"},
    {Reason::spamdetected, "spamdetected"},
    {Reason::virusdetected, "virusdetected"},
    {Reason::policyviolation, "policyviolation"},
    {Reason::securityerror, "securityerror"},
    {Reason::rejected, "rejected"},
    {Reason::norelaying, "norelaying"},
    {Reason::filtered, "filtered"},
    {Reason::expired, "expired"},
    {Reason::networkerror, "networkerror"},
    {Reason::toomanyconn, "toomanyconn"},
    {Reason::systemerror, "systemerror"},
    {Reason::systemfull, "systemfull"},
    {Reason::mailererror, "mailererror"},
    {Reason::syntaxerror, "syntaxerror"},
    {Reason::onhold, "onhold"},
    {Reason::requireptr, "requireptr"},
    {Reason::authfailure, "authfailure"},
    {Reason::notaccept, "notaccept"},
    {Reason::contenterror, "contenterror"},
    {Reason::notcompliantrfc, "notcompliantrfc"},
    {Reason::badreputation, "badreputation"},
    {Reason::complaint, "complaint"},
};

}  // namespace

const char* reason_name(Reason reason) {
  for (const auto& [r, name] : kNames)
    if (r == reason) return name;
  return "undefined";
}

Reason reason_from_name(std::string_view name) {
  for (const auto& [r, n] : kNames)
    if (name == n) return r;
  return Reason::undefined;
}

const char* severity_name(Severity severity) { return severity == Severity::hard ? "hard" : "soft"; }

}  // namespace mailer::bounces
