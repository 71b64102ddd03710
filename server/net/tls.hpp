#pragma once
// The server's TLS context: OpenSSL 3 through Asio, TLS 1.2 minimum, forward-secret AEAD
// suites only (Mozilla's "intermediate" profile).
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace samling::net {

// The TLS 1.2 cipher suites accepted (OpenSSL names): forward-secret AEAD only.
extern const char* const tls12_ciphers;

// Loads the PEM certificate chain and private key and checks that they match. On failure
// returns nullptr and sets `error` to a message naming the file and OpenSSL's reason.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& certificate,
                                                            const std::string& private_key,
                                                            std::string& error);

}  // namespace samling::net
