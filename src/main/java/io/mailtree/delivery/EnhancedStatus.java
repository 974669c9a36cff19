package io.mailtree.delivery;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RFC 3463 enhanced status code ({@code class.subject.detail}, e.g. {@code 5.7.1}) found in an
 * SMTP reply's text or a DSN's Status field. The basic reply code (RFC 5321) says whether a
 * failure is permanent; the enhanced code says what it is about, which decides two things the basic
 * code cannot: whether the recipient's <em>address</em> is at fault (and should be suppressed), and
 * whether a "permanent" refusal is one a later attempt usually gets past.
 */
record EnhancedStatus(int statusClass, int subject, int detail) {

    /** The first code in the text: a class of 2, 4 or 5, a subject of 0 to 999, a detail of 0 to 999. */
    private static final Pattern CODE = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");

    /** The first enhanced status code in {@code text}, if it carries one. */
    static Optional<EnhancedStatus> in(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = CODE.matcher(text.length() > 512 ? text.substring(0, 512) : text);
        return matcher.find() ? Optional.of(new EnhancedStatus(Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)))) : Optional.empty();
    }

    /**
     * X.7.x, the security or policy status (RFC 3463 §3.8): refused as spam, for DMARC, for the
     * sender's reputation. The message was refused, not the address: suppressing the recipient would
     * punish the recipient for our problem.
     */
    boolean isPolicy() {
        return subject == 7;
    }

    /**
     * A "permanent" refusal that is usually temporary: X.2.2, mailbox full ("useful for both permanent
     * and persistent transient errors", RFC 3463 §3.3), and X.5.3, too many recipients, which RFC 5321
     * §4.5.3.1.10 asks clients to treat as the temporary 452. Retried, and a soft bounce if the retry
     * horizon passes, so the address is not suppressed for a full mailbox.
     */
    boolean isUsuallyTransient() {
        return (subject == 2 && detail == 2) || (subject == 5 && detail == 3);
    }

    @Override
    public String toString() {
        return statusClass + "." + subject + "." + detail;
    }
}
