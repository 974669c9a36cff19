/**
 * Mailtree's SMTP servers and the mail that comes back: SMTP submission (applications sending with
 * their key, D-29, over STARTTLS with the operator's certificate or a generated one) and the parsing of delivery status notifications (RFC 3464) and feedback-loop
 * complaints (ARF, RFC 5965) into reports that delivery matches to the original message and recipient
 * by the return path of their envelope alone. Both servers bound what one client address may cost
 * (connections and a rate), and stored reports are deleted after the retention. Depends on
 * {@code delivery} to queue submitted mail, {@code keys} and {@code accounts} to authenticate and
 * refuse inactive accounts, and {@code access} for the throttle of failed logins.
 * <p>Allowed dependencies, and why: {@code delivery} to queue submitted mail and to match a report
 * to the message and recipient it is about; {@code keys} and {@code accounts} to authenticate SMTP
 * clients by key and refuse inactive accounts (D-12); {@code access} for the throttle of failed
 * logins; {@code shared} for ids and problems.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"delivery", "keys", "accounts", "access", "shared"})
package io.mailtree.inbound;
