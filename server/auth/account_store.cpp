#include "auth/account_store.hpp"

namespace samling::auth {

std::string normalize_email(std::string_view email) {
  auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
  while (!email.empty() && space(email.front())) email.remove_prefix(1);
  while (!email.empty() && space(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> email_problem(std::string_view email) {
  if (email.empty()) return "the e-mail address is empty";
  if (email.size() > 254) {
    return "the e-mail address is " + std::to_string(email.size()) + " bytes; at most 254 are allowed";
  }
  for (char ch : email) {
    auto b = static_cast<unsigned char>(ch);
    if (b <= 0x20 || b == 0x7f) return "the e-mail address must not contain spaces or control characters";
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return "the e-mail address must contain exactly one @";
  }
  if (at == 0) return "the e-mail address has nothing before the @";
  const std::string_view domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string_view::npos || domain.front() == '.' || domain.back() == '.') {
    return "the e-mail address's domain (after the @) needs a dot inside it, e.g. example.org";
  }
  return std::nullopt;
}

}  // namespace samling::auth
