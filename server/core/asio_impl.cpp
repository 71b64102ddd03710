// The one translation unit that compiles Asio, Asio's SSL and Beast (separate compilation):
// every other file includes only their declarations, which keeps a one-file rebuild fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
