package io.mailtree.content.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The targets of a share: ids of the caller's sub-accounts (and, for images, which images). */
@Schema(name = "ContentShareRequest")
record ShareRequest(List<String> subaccountIds, List<Long> imageIds) {
}
