package io.mailtree.contacts.web;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.util.WebUtils;

/**
 * Uploads of the import wizard waiting for their column mapping: temporary files under the system
 * temp directory, known to the session that uploaded them by a random token. A session keeps the
 * last few; the files of the others, and all of them when the session ends, are deleted.
 */
final class PendingUploads implements HttpSessionBindingListener, Serializable {

    private static final long serialVersionUID = 1L;
    static final String ATTRIBUTE = "mailtree.importUploads";
    private static final int MAX = 3;

    /** One stored upload and the choices made with it. */
    record Upload(String token, String file, String fileName, String charset, Long listId, String newListName,
            List<String> headers) implements Serializable {

        Path path() {
            return Path.of(file);
        }
    }

    private final Map<String, Upload> uploads = new LinkedHashMap<>();

    static PendingUploads of(HttpSession session) {
        synchronized (WebUtils.getSessionMutex(session)) {
            Object existing = session.getAttribute(ATTRIBUTE);
            if (existing instanceof PendingUploads pending) {
                return pending;
            }
            PendingUploads created = new PendingUploads();
            session.setAttribute(ATTRIBUTE, created);
            return created;
        }
    }

    synchronized void put(Upload upload) {
        uploads.put(upload.token(), upload);
        Iterator<Upload> oldest = uploads.values().iterator();
        while (uploads.size() > MAX && oldest.hasNext()) {
            delete(oldest.next());
            oldest.remove();
        }
    }

    synchronized Optional<Upload> get(String token) {
        return Optional.ofNullable(uploads.get(token));
    }

    /** Forgets an upload and deletes its file. */
    synchronized void remove(String token) {
        Upload upload = uploads.remove(token);
        if (upload != null) {
            delete(upload);
        }
    }

    @Override
    public void valueUnbound(HttpSessionBindingEvent event) {
        List<Upload> all;
        synchronized (this) {
            all = new ArrayList<>(uploads.values());
            uploads.clear();
        }
        all.forEach(PendingUploads::delete);
    }

    private static void delete(Upload upload) {
        try {
            Files.deleteIfExists(upload.path());
        } catch (IOException ignored) {
            // the system cleans its temp directory; a leftover file is harmless
        }
    }
}
