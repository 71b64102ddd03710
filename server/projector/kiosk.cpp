#include "projector/kiosk.hpp"

#include <stdexcept>

#include <openssl/rand.h>

namespace samling::projector {

std::string new_kiosk_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("kiosk link: no random bytes");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

bool valid_kiosk_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string kiosk_user_id(std::string_view id) { return "kiosk-" + std::string(id.substr(0, 8)); }

std::string trim_base(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

std::string qa_url(std::string_view base, std::string_view event_id, std::string_view room_id) {
  return trim_base(base) + "/#event=" + std::string(event_id) + "&room=" + std::string(room_id) + "&qa=1";
}

std::string projector_url(std::string_view base, std::string_view id) {
  return trim_base(base) + "/#projector=" + std::string(id);
}

}  // namespace samling::projector
