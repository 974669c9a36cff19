package io.mailtree.notifications;

import jakarta.mail.Multipart;
import jakarta.mail.Part;

/** The readable text of a message for the development mailbox: its text part, or its HTML. */
final class DevText {

    private DevText() {
    }

    static String of(Part part) {
        try {
            if (part.isMimeType("text/plain")) {
                return String.valueOf(part.getContent());
            }
            if (part.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) part.getContent();
                String html = null;
                for (int i = 0; i < multipart.getCount(); i++) {
                    String text = of(multipart.getBodyPart(i));
                    if (multipart.getBodyPart(i).isMimeType("text/plain") && text != null) {
                        return text;
                    }
                    html = html == null ? text : html;
                }
                return html;
            }
            if (part.isMimeType("text/html")) {
                return String.valueOf(part.getContent());
            }
        } catch (Exception unreadable) {
            return "(this message could not be read)";
        }
        return null;
    }
}
