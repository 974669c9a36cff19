/**
 * What e-mails are made of: templates (layouts) with personalisation in a logic-light template
 * language (Handlebars), the image library served from unguessable public URLs, attachments, and
 * e-mails (campaign drafts) with their validation and state, plus sharing templates, images and
 * e-mails with sub-accounts (D-25, D-26, D-27). Files go through one {@link io.mailtree.content.BlobStore}
 * (filesystem by default). Depends on {@code accounts} for the tree, {@code contacts} for lists and
 * preview contacts, and {@code audit} for shares.
 */
package io.mailtree.content;
