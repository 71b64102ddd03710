#include "api/room_export_routes.hpp"
