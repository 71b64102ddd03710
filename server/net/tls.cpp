#include "net/tls.hpp"

#include <openssl/ssl.h>

namespace samling::net {

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
