// Asks before destructive form submissions marked with data-confirm (no inline scripts: the CSP forbids them).
document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
        event.preventDefault();
    }
}, true);

// A checkbox with data-check-all="name" ticks or clears every enabled checkbox of that name in its form.
document.addEventListener('change', function (event) {
    var name = event.target.getAttribute && event.target.getAttribute('data-check-all');
    if (!name) {
        return;
    }
    var scope = event.target.form || document;
    scope.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        if (!box.disabled) {
            box.checked = event.target.checked;
        }
    });
});

// Content pages -------------------------------------------------------------------------------

// A button with data-copy="#input" copies that field's text (an image's public URL) and says so.
document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-copy]');
    if (!button) {
        return;
    }
    var field = document.querySelector(button.getAttribute('data-copy'));
    if (!field) {
        return;
    }
    field.focus();
    field.select();
    var done = function () {
        var label = button.getAttribute('data-copied');
        if (label) {
            var before = button.textContent;
            button.textContent = label;
            window.setTimeout(function () { button.textContent = before; }, 1500);
        }
    };
    if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
            document.execCommand('copy');
            done();
        });
    } else {
        document.execCommand('copy');
        done();
    }
});

// Remembers that the person placed the caret in a textarea, so an inserted image goes there.
['click', 'keyup'].forEach(function (type) {
    document.addEventListener(type, function (event) {
        if (event.target.tagName === 'TEXTAREA') {
            event.target.setAttribute('data-caret', '1');
        }
    });
});

// A button with data-insert-image="select id" and data-insert-into="textarea id" inserts an
// <img> of the chosen library image: at the caret once placed, otherwise after the last paragraph,
// before </body>, or at the end.
document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-insert-image]');
    if (!button) {
        return;
    }
    var select = document.getElementById(button.getAttribute('data-insert-image'));
    var area = document.getElementById(button.getAttribute('data-insert-into'));
    if (!select || !area || !select.value) {
        return;
    }
    var url = select.value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    var alt = (select.options[select.selectedIndex].text || '').replace(/&/g, '&amp;').replace(/"/g, '&quot;')
        .replace(/</g, '&lt;');
    var tag = '<img src="' + url + '" alt="' + alt + '" style="max-width:100%;height:auto">';
    var value = area.value;
    var lower = value.toLowerCase();
    var at;
    if (area.getAttribute('data-caret') === '1') {
        at = area.selectionStart;
    } else if (lower.lastIndexOf('</p>') >= 0) {
        at = lower.lastIndexOf('</p>') + 4;
        tag = '\n<p>' + tag + '</p>';
    } else {
        at = lower.lastIndexOf('</body>') >= 0 ? lower.lastIndexOf('</body>') : value.length;
        tag = '<p>' + tag + '</p>\n';
    }
    area.value = value.slice(0, at) + tag + value.slice(at);
    area.setAttribute('data-caret', '1');
    area.focus();
    area.setSelectionRange(at + tag.length, at + tag.length);
    area.dispatchEvent(new Event('input', {bubbles: true}));
});

// The type select of an e-mail shows the A/B-test settings only for an A/B test.
document.addEventListener('change', function (event) {
    var target = event.target.getAttribute && event.target.getAttribute('data-ab-toggle');
    if (!target) {
        return;
    }
    var box = document.getElementById(target);
    if (box) {
        box.hidden = event.target.value !== 'AB_TEST';
    }
});

// A syntax error puts the caret at its line and column in the part that has it.
document.addEventListener('DOMContentLoaded', function () {
    var area = document.querySelector('textarea[data-error-line]');
    if (!area) {
        return;
    }
    var line = parseInt(area.getAttribute('data-error-line'), 10) || 1;
    var column = parseInt(area.getAttribute('data-error-column'), 10) || 0;
    var lines = area.value.split('\n');
    var offset = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) {
        offset += lines[i].length + 1;
    }
    var lineText = lines[Math.min(line - 1, lines.length - 1)] || '';
    var start = offset + Math.min(column, lineText.length);
    area.focus();
    area.setSelectionRange(start, offset + lineText.length);
    area.scrollTop = Math.max(0, (line - 3) * parseFloat(window.getComputedStyle(area).lineHeight || '18'));
});

// The browser's time zone, for the times the pages show (see ViewFormat): kept in a cookie, refreshed
// when the browser's zone changes (a laptop that travelled). Pages read it from the next request on.
(function () {
    try {
        var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (zone && document.cookie.split('; ').indexOf('mt_tz=' + encodeURIComponent(zone)) < 0) {
            document.cookie = 'mt_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; SameSite=Lax';
        }
    } catch (noIntl) {
        // An old browser without Intl: times stay in UTC, named so.
    }
})();
