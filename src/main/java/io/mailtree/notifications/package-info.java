/**
 * System mail — the e-mails Mailtree itself sends to people (address verification, password
 * set-up and reset) — and the built-in development mailbox. Mail is written to an outbox in the
 * transaction of the act that causes it and handed to the transport after commit, so no SMTP call
 * runs inside a transaction and nothing is lost if the relay is down. It owns the transport
 * ({@code MailTransport}) and the relay settings ({@code RelaySettings}, {@code mailtree.relay.*},
 * read once), which delivery uses too: delivery depends on notifications, so the settings live here.
 * <p>Allowed dependencies: {@code shared} only, so any module can send system mail.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared"})
package io.mailtree.notifications;
