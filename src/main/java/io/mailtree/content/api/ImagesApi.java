package io.mailtree.content.api;

import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.Image;
import io.mailtree.content.Images;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Ids;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** {@code /api/v1/images}: the image library. */
@RestController
@RequestMapping("/api/v1/images")
@RequiresPermission(Permission.CONTENT)
@Tag(name = "Images")
class ImagesApi {

    private final Images images;
    private final ContentSharing sharing;
    private final String baseUrl;

    ImagesApi(Images images, ContentSharing sharing, @Value("${mailtree.base-url}") String baseUrl) {
        this.images = images;
        this.sharing = sharing;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    @GetMapping
    PageOf<ImageJson> list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return images.list(caller.accountId(), new PageRequest(page, size)).map(this::json);
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Upload an image", description = "PNG, JPEG, GIF or WebP, checked from the bytes; 5 MB at most.")
    ImageJson upload(Caller caller, @RequestParam("file") MultipartFile file) throws IOException {
        return json(images.upload(caller, file.getOriginalFilename(), file.getInputStream()));
    }

    @GetMapping("/{id}")
    ImageJson get(Caller caller, @PathVariable String id) {
        return json(images.get(caller.accountId(), Ids.positive(id, "image_not_found", "image")));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String id) throws IOException {
        images.delete(caller, Ids.positive(id, "image_not_found", "image"));
    }

    @PostMapping("/share")
    @Operation(summary = "Copy images into sub-accounts (D-26)", description = "{\"imageIds\": [...], \"subaccountIds\": [...]}")
    Map<String, List<ShareResult>> share(Caller caller, @RequestBody ShareRequest request) {
        return Map.of("results", sharing.shareImages(caller, request.imageIds(), request.subaccountIds()));
    }

    private ImageJson json(Image image) {
        return new ImageJson(image.id(), image.fileName(), image.contentType(), image.sizeBytes(), baseUrl + image.path(),
                image.createdAt());
    }

    record ImageJson(long id, String fileName, String contentType, long sizeBytes, String url,
            java.time.Instant createdAt) {
    }
}
