// The message of one place (store/messages), styled by its kind: done, warning or error.
import { type MessagePlace, clearMessage, useMessages } from '../store/messages';

interface MessageProps {
  place: MessagePlace;
  /** On the message (with its kind in data-kind); its text is `${testId}-text`. */
  testId: string;
  /** Shows a button that clears it (banners; a panel's message stays until its next action). */
  dismissable?: boolean;
  className?: string;
}

export function Message({ place, testId, dismissable = false, className = '' }: MessageProps) {
  const message = useMessages((state) => state.byPlace[place]);
  if (!message) return null;
  return (
    <div
      className={`message message-${message.kind} ${className}`.trim()}
      role={message.kind === 'error' ? 'alert' : 'status'}
      data-testid={testId}
      data-kind={message.kind}
    >
      <div className="message-body">
        {message.title && <strong>{message.title}</strong>}
        <p data-testid={`${testId}-text`}>{message.text}</p>
      </div>
      {dismissable && (
        <button type="button" className="ghost small" onClick={() => clearMessage(place)} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}
