// Boost.JSON compiled into the fuzz build (instead of Debian's libboost_json), so the token
// target's coverage feedback reaches into the parsing of claims.
#include <boost/json/src.hpp>
