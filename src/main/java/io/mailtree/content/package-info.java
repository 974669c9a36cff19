/**
 * What e-mails are made of: templates (layouts) with personalisation in a logic-light template
 * language (Handlebars), the image library served from unguessable public URLs, attachments, and
 * e-mails (campaign drafts) with their validation and state, plus sharing templates, images and
 * e-mails with sub-accounts (D-25, D-26, D-27). Files go through one {@link io.mailtree.content.BlobStore}
 * (filesystem by default).
 * <p>Allowed dependencies, and why: {@code accounts} for the sub-accounts a master sees (D-25), and
 * its {@code sharing} interface for the fan-out into each chosen sub-account, the per-target result
 * and the share picker (D-26, D-27); {@code contacts} for the lists an e-mail goes to and the
 * contact a preview is rendered for; {@code audit} for shares (D-32); {@code shared} for ids and
 * problems.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "accounts :: sharing", "contacts", "audit", "shared"})
package io.mailtree.content;
