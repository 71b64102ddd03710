// Join tokens (server/auth/token.cpp) on arbitrary bytes, verified with a fixed keyring, and the
// key list of the configuration (parse_key_list). The first byte chooses what the rest is:
//   0: a token as a client sends it (almost never with a valid MAC: exercises the framing,
//      key ids and base64url before the MAC check);
//   1: the JSON claims, which this target signs itself (tests/support/token_codec.hpp, OpenSSL
//      directly) so the bytes reach the claims parser, as they would from a holder of a key;
//   2: a key list ("id:secret,id2:secret2").
// Seeds: tests/fuzz/corpus/token/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "auth/token.hpp"
#include "fuzz_check.hpp"
#include "token_codec.hpp"

namespace auth = samling::auth;

namespace {

const std::string secret_current(32, 'c');
const std::string secret_previous = "pppppppppppppppppppppppppppppppppppppppp";  // 40 bytes
constexpr std::int64_t now = 1796822400;  // 2026-12-01

const auth::keyring& keys() {
  static const auth::keyring k({"current", secret_current}, {{"previous", secret_previous}});
  return k;
}

std::string signed_token(std::string_view key_id, std::string_view secret, std::string_view claims) {
  std::string signed_part = "v1." + std::string(key_id) + "." + samling::testing::base64url(claims);
  return signed_part + "." + samling::testing::base64url(samling::testing::hmac_sha256(secret, signed_part));
}

// Whatever verify() accepts can be signed again and verifies to the same claims.
void round_trips(const std::variant<auth::claims, auth::token_error>& result) {
  const auto* c = std::get_if<auth::claims>(&result);
  if (!c) return;
  FUZZ_CHECK(c->expires_at > now);
  auto again = keys().verify(keys().sign(*c), now);
  const auto* c2 = std::get_if<auth::claims>(&again);
  FUZZ_CHECK(c2 && *c2 == *c);
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char ch : id)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '_'))
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto result = keys().verify(rest, now);
      round_trips(result);
      break;
    }
    case 1: {
      auto current = keys().verify(signed_token("current", secret_current, rest), now);
      auto previous = keys().verify(signed_token("previous", secret_previous, rest), now);
      // The MAC matched: the answer depends on the claims alone, not on which key signed them.
      FUZZ_CHECK(current == previous);
      if (const auto* e = std::get_if<auth::token_error>(&current))
        FUZZ_CHECK(*e != auth::token_error::unknown_key);
      round_trips(current);
      // One bit of the MAC changed: refused, whatever the claims.
      std::string forged = signed_token("current", secret_current, rest);
      forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
      auto refused = keys().verify(forged, now);
      FUZZ_CHECK(std::holds_alternative<auth::token_error>(refused));
      break;
    }
    default: {
      std::string error;
      auto list = auth::parse_key_list(rest, error);
      if (!list) {
        FUZZ_CHECK(!error.empty());
        break;
      }
      for (std::size_t i = 0; i < list->size(); ++i) {
        FUZZ_CHECK(valid_id((*list)[i].id));
        FUZZ_CHECK((*list)[i].secret.size() >= 32);
        for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK((*list)[j].id != (*list)[i].id);
      }
      // What the list accepts, a keyring takes (it throws on any key it would refuse).
      if (!list->empty()) {
        std::vector<auth::signing_key> previous(list->begin() + 1, list->end());
        auth::keyring ring((*list)[0], previous);
        FUZZ_CHECK(ring.current_key_id() == (*list)[0].id);
      }
      break;
    }
  }
  return 0;
}
