#include "net/tls.hpp"

#include <openssl/ssl.h>

namespace samling::net {

const char* const tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& certificate,
                                                            const std::string& private_key,
                                                            std::string& error) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.0 and 1.1 are deprecated (RFC 8996): refuse them.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  // TLS 1.2: only forward-secret key exchange (ECDHE, DHE) with AEAD ciphers, Mozilla's
  // "intermediate" profile. OpenSSL's default also accepts static-RSA key exchange (a stolen
  // key decrypts every recorded session) and CBC with SHA-1. TLS 1.3's suites are all of that
  // kind already and keep OpenSSL's defaults. The client's order is kept: every suite here is
  // strong, and a phone without AES hardware then picks ChaCha20.
  if (SSL_CTX_set_cipher_list(ctx->native_handle(), tls12_ciphers) != 1) {
    error = "tls: the cipher list was refused by OpenSSL";
    return nullptr;
  }
  SSL_CTX_set_dh_auto(ctx->native_handle(), 1);  // DHE with a group matching the key's strength
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(certificate, ec);
  if (ec) {
    error = "tls.certificate: cannot load " + certificate + ": " + ec.message();
    return nullptr;
  }
  ctx->use_private_key_file(private_key, ssl::context::pem, ec);
  if (ec) {
    error = "tls.private_key: cannot load " + private_key + ": " + ec.message();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    error = "tls.private_key: " + private_key + " does not match the certificate " + certificate;
    return nullptr;
  }
  return ctx;
}

}  // namespace samling::net
