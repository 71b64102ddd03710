#pragma once
// The JSON of a question (Q) and of a poll (P) as each kind of receiver may see them
// (docs/protocol.md, "Q&A and polls", Objects). No I/O.
#include <boost/json/object.hpp>

#include "qa/model.hpp"

namespace samling::qa {

// everyone: the audience; owner: the question's asker (every session of theirs); staff: the
// event's moderators and organizers.
enum class view { everyone, owner, staff };

// everyone: no author when anonymous (a hall question: its name only, or none), no reason,
//   mine false;
// owner: the author and the reason, mine true;
// staff: the author unless anonymous and the event's names_to_moderators is off; the reason.
boost::json::object to_json(const question& q, view v, bool names_to_moderators);

// Everyone (and owner): the counts and voters are null while the results are hidden; staff:
// always the counts.
boost::json::object to_json(const poll& p, view v);

}  // namespace samling::qa
