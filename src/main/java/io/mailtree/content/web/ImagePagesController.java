package io.mailtree.content.web;

import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.Image;
import io.mailtree.content.Images;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The image library as a grid of thumbnails, each with its public URL to copy; upload (the type
 * is checked from the bytes), delete, and sharing a selection with sub-accounts (D-26).
 */
@Controller
@RequiresPermission(Permission.CONTENT)
class ImagePagesController {

    static final int PAGE = 48;

    private final Images images;
    private final ContentSharing sharing;
    private final SharePicker sharePicker;
    private final PublicUrls urls;

    ImagePagesController(Images images, ContentSharing sharing, SharePicker sharePicker, PublicUrls urls) {
        this.images = images;
        this.sharing = sharing;
        this.sharePicker = sharePicker;
        this.urls = urls;
    }

    /** A library image as the grid shows it: its path (the thumbnail, same origin) and its full public URL. */
    record LibraryImage(long id, String token, String fileName, String contentType, long sizeBytes, String path,
            String url, java.time.Instant createdAt) {
    }

    @GetMapping("/images")
    String library(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(required = false) String error, Model model) {
        model.addAttribute("problemCode", PageIds.uploadError(error));
        prepare(caller, page, model);
        return "content/images";
    }

    @PostMapping("/images")
    String upload(Caller caller, @RequestParam(name = "file", required = false) MultipartFile file, Model model,
            RedirectAttributes redirect) throws IOException {
        try {
            if (file == null || file.isEmpty()) {
                throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
            }
            Image image;
            try (InputStream in = file.getInputStream()) {
                image = images.upload(caller, file.getOriginalFilename(), in);
            }
            redirect.addFlashAttribute("notice", "images.uploaded");
            redirect.addFlashAttribute("noticeArg", image.fileName());
            redirect.addFlashAttribute("uploadedId", image.id());
            return "redirect:/images";
        } catch (DomainProblem problem) {
            model.addAttribute("problem", problem);
            model.addAttribute("maxMegabytes", megabytes(images.maxBytes()));
            prepare(caller, 0, model);
            return "content/images";
        }
    }

    @PostMapping("/images/{id}/delete")
    String delete(Caller caller, @PathVariable String id, RedirectAttributes redirect) throws IOException {
        long imageId = PageIds.parse(id, "image_not_found", "image");
        Image image = images.get(caller.accountId(), imageId);
        images.delete(caller, imageId);
        redirect.addFlashAttribute("notice", "images.deleted");
        redirect.addFlashAttribute("noticeArg", image.fileName());
        return "redirect:/images";
    }

    @PostMapping("/images/share")
    String share(Caller caller, @RequestParam(name = "imageId", required = false) List<Long> imageIds,
            @RequestParam(name = "subaccountId", required = false) List<String> targets, RedirectAttributes redirect) {
        sharePicker.flash(caller, redirect, () -> sharing.shareImages(caller, imageIds == null ? List.of() : imageIds,
                targets == null ? List.of() : targets));
        return "redirect:/images#share";
    }

    private void prepare(Caller caller, int page, Model model) {
        PageOf<LibraryImage> library = images.list(caller.accountId(), new PageRequest(Math.max(page, 0), PAGE))
                .map(this::view);
        model.addAttribute("images", library);
        if (!model.containsAttribute("maxMegabytes")) {
            model.addAttribute("maxMegabytes", megabytes(images.maxBytes()));
        }
        sharePicker.addTargets(caller, model);
    }

    LibraryImage view(Image image) {
        return new LibraryImage(image.id(), image.token(), image.fileName(), image.contentType(), image.sizeBytes(),
                image.path(), urls.of(image), image.createdAt());
    }

    static long megabytes(long bytes) {
        return Math.max(1, bytes / (1024 * 1024));
    }
}
