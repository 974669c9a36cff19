/**
 * What e-mails are made of: templates (layouts) with personalisation in a logic-light template
 * language (Handlebars), the image library served from unguessable public URLs, attachments, and
 * e-mails (campaign drafts) with their validation and state, plus sharing templates, images and
 * e-mails with sub-accounts (D-25, D-26, D-27). Files go through one {@link io.mailtree.content.BlobStore}
 * (filesystem by default).
 * <p>Allowed dependencies, and why: {@code accounts} for the tree that sharing walks and the
 * sub-accounts a master sees (D-25, D-26); {@code contacts} for the lists an e-mail goes to and the
 * contact a preview is rendered for; {@code audit} for shares (D-32); {@code shared} for ids and
 * problems.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "contacts", "audit", "shared"})
package io.mailtree.content;
