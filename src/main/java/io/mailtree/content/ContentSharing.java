package io.mailtree.content;

import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.accounts.sharing.SubaccountShares;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * D-26, D-27: a master shares templates, images and e-mails with its sub-accounts by copying them.
 * Images an HTML part references are copied into the target's library and the references rewritten,
 * so the copy never depends on the master's library. Each target is a transaction of its own, through
 * the fan-out of {@link SubaccountShares}.
 */
@Service
public class ContentSharing {

    /** The image path inside any URL or attribute: {@code /i/<32-character token>}. */
    private static final Pattern IMAGE_REFERENCE = Pattern.compile("/i/([A-Za-z0-9]{32})(?![A-Za-z0-9])");

    private final JdbcClient jdbc;
    private final SubaccountShares shares;
    private final Templates templates;
    private final Images images;
    private final Emails emails;
    private final AuditLog audit;

    ContentSharing(JdbcClient jdbc, SubaccountShares shares, Templates templates, Images images, Emails emails,
            AuditLog audit) {
        this.jdbc = jdbc;
        this.shares = shares;
        this.templates = templates;
        this.images = images;
        this.emails = emails;
        this.audit = audit;
    }

    public List<ShareResult> shareTemplate(Caller caller, long templateId, List<String> subaccountIds) {
        caller.requireMaster();
        Template source = templates.get(caller.accountId(), templateId);
        return shares.shareToEach(caller, subaccountIds, target -> {
            Map<Long, Image> copied = new LinkedHashMap<>();
            String html = copyImages(caller.accountId(), target.id(), source.html(), copied);
            Template copy = templates.create(target.id(), source.name(), source.subject(), html, source.text());
            audit.record(caller, caller.accountId(), target.id(), "template.shared", "template",
                    String.valueOf(source.id()), "template " + source.name() + " -> " + copy.id());
            return ShareResult.template(target.id().toString(), copy.id(),
                    copied.values().stream().map(Image::id).toList());
        });
    }

    public List<ShareResult> shareImages(Caller caller, List<Long> imageIds, List<String> subaccountIds) {
        caller.requireMaster();
        if (imageIds == null || imageIds.isEmpty() || imageIds.size() > 100) {
            throw DomainProblem.invalid("invalid_image_ids", "give 1 to 100 image ids").with("field", "imageIds");
        }
        List<Image> sources = new LinkedHashSet<>(imageIds).stream().map(id -> images.get(caller.accountId(), id)).toList();
        return shares.shareToEach(caller, subaccountIds, target -> {
            List<Long> created = new ArrayList<>();
            for (Image image : sources) {
                created.add(copy(target.id(), image).id());
            }
            audit.record(caller, caller.accountId(), target.id(), "images.shared", "image",
                    sources.size() == 1 ? String.valueOf(sources.get(0).id()) : null, created.size() + " images");
            return ShareResult.images(target.id().toString(), created);
        });
    }

    /**
     * D-27: only a regular e-mail in draft or sent status is shared; the copy is a new draft with
     * subject, sender, text, HTML, images (copied, links rewritten), other links and attachments.
     * Recipients, send history and statistics stay with the original.
     */
    public List<ShareResult> shareEmail(Caller caller, long emailId, List<String> subaccountIds) {
        caller.requireMaster();
        Email source = emails.get(caller.accountId(), emailId);
        source.requireShareable();
        List<Attachment> attachments = emails.attachments(caller.accountId(), emailId);
        return shares.shareToEach(caller, subaccountIds, target -> {
            Map<Long, Image> copied = new LinkedHashMap<>();
            String html = copyImages(caller.accountId(), target.id(), source.html(), copied);
            Email copy = emails.create(target.id(), new EmailDraft(source.name(), EmailType.REGULAR.name(),
                    source.subject(), source.fromName(), source.fromEmail(), source.replyTo(), null, html, source.text(),
                    null, List.of()));
            for (Attachment attachment : attachments) {
                try {
                    emails.copyAttachment(target.id(), copy.id(), attachment);
                } catch (IOException failure) {
                    throw new UncheckedIOException(failure);
                }
            }
            jdbc.sql("update email set shared_from = ? where id = ?")
                    .params("e-mail " + source.id() + " of the master account", copy.id()).update();
            audit.record(caller, caller.accountId(), target.id(), "email.shared", "email", String.valueOf(source.id()),
                    "e-mail " + source.name() + " -> draft " + copy.id());
            return ShareResult.email(target.id().toString(), copy.id(),
                    copied.values().stream().map(Image::id).toList(), attachments.size());
        });
    }

    /** Copies the images of {@code from} that the HTML references into {@code to}; answers the rewritten HTML. */
    private String copyImages(AccountId from, AccountId to, String html, Map<Long, Image> copied) {
        if (html == null || html.isEmpty()) {
            return html;
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        Matcher matcher = IMAGE_REFERENCE.matcher(html);
        while (matcher.find()) {
            String token = matcher.group(1);
            if (!tokens.containsKey(token)) {
                images.byToken(from, token).ifPresentOrElse(image -> {
                    Image copy = copy(to, image);
                    copied.put(copy.id(), copy);
                    tokens.put(token, copy.token());
                }, () -> tokens.put(token, token));
            }
        }
        StringBuilder out = new StringBuilder();
        Matcher rewrite = IMAGE_REFERENCE.matcher(html);
        while (rewrite.find()) {
            rewrite.appendReplacement(out, Matcher.quoteReplacement("/i/" + tokens.get(rewrite.group(1))));
        }
        rewrite.appendTail(out);
        return out.toString();
    }

    private Image copy(AccountId to, Image image) {
        try {
            return images.copyTo(to, image);
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }
}
