// What a session card in the program can do (EventView provides it; the program passes cards
// through without knowing): play its room's stage, open its room's chat.
import { createContext } from 'preact';

export interface SessionActions {
  /** Whether the room has a stage to watch. */
  canWatch: (room: string) => boolean;
  /** Whether the viewer may open the room's chat (press rooms: press and staff only). */
  canChat: (room: string) => boolean;
  /** Plays the room's stage and brings the player into view (focused). */
  watch: (room: string) => void;
  /** Opens the room's chat. */
  goToRoom: (room: string) => void;
  /** The room whose stage plays now. */
  watching: string | null;
}

export const SessionActionsContext = createContext<SessionActions | null>(null);
