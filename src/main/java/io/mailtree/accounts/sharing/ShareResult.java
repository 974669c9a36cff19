package io.mailtree.accounts.sharing;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.RefusalArguments;
import java.util.List;
import java.util.Map;

/**
 * What one sub-account received from a share (D-26 … D-28), the same type for lists, test
 * recipients, templates, images and e-mails: {@code shared} with what was created, or
 * {@code refused} with a code, the English message and the refusal's named {@code arguments} (for
 * D-11 the {@code requested} and {@code available} numbers), from which each page states it in its
 * own language.
 *
 * @param createdId   the id of the copy: a list, a template or a draft e-mail; null for test
 *                    recipients and images, which are copied as many
 * @param listId      the copied list's id again, the name the list share's JSON has always had
 * @param copied      how many list members or test recipients the target received
 * @param imageIds    the images copied into the target's library
 * @param attachments how many attachments the copied e-mail carries
 */
public record ShareResult(String subaccountId, String status, String code, String message,
        Map<String, Object> arguments, Long createdId, Long listId, Integer copied, List<Long> imageIds,
        Integer attachments) {

    public static final String SHARED = "shared";
    public static final String REFUSED = "refused";

    /** Why {@code subaccountId} received nothing. */
    public static ShareResult refused(String subaccountId, DomainProblem problem) {
        return new ShareResult(subaccountId, REFUSED, problem.code(), problem.getMessage(),
                RefusalArguments.of(problem), null, null, null, null, null);
    }

    /** A list copied with {@code members} members. */
    public static ShareResult list(String subaccountId, long listId, int members) {
        return new ShareResult(subaccountId, SHARED, null, null, null, listId, listId, members, null, null);
    }

    /** {@code copied} test recipients added to the target's. */
    public static ShareResult testRecipients(String subaccountId, int copied) {
        return new ShareResult(subaccountId, SHARED, null, null, null, null, null, copied, null, null);
    }

    /** A template copied, with the images its HTML references. */
    public static ShareResult template(String subaccountId, long templateId, List<Long> imageIds) {
        return new ShareResult(subaccountId, SHARED, null, null, null, templateId, null, null, imageIds, null);
    }

    /** Images copied into the target's library. */
    public static ShareResult images(String subaccountId, List<Long> imageIds) {
        return new ShareResult(subaccountId, SHARED, null, null, null, null, null, null, imageIds, null);
    }

    /** An e-mail copied as a new draft, with its images and attachments. */
    public static ShareResult email(String subaccountId, long draftId, List<Long> imageIds, int attachments) {
        return new ShareResult(subaccountId, SHARED, null, null, null, draftId, null, null, imageIds, attachments);
    }

    public boolean shared() {
        return SHARED.equals(status);
    }
}
