package io.mailtree.content;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The plain-text part generated from an HTML part: block elements become line breaks, links show
 * their address, images their alt text; styles and scripts are dropped. Template variables pass
 * through untouched.
 */
public final class HtmlText {

    private HtmlText() {
    }

    public static String from(String html) {
        if (html == null || html.isBlank()) {
            return "";
        }
        var document = Jsoup.parse(html);
        document.select("style, script, head, title").remove();
        StringBuilder out = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    out.append(text.text().replaceAll("\\s+", " "));
                } else if (node instanceof Element element) {
                    switch (element.normalName()) {
                        case "br" -> out.append('\n');
                        case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul", "ol" -> breakLine(out);
                        case "li" -> {
                            breakLine(out);
                            out.append("- ");
                        }
                        case "img" -> out.append(element.attr("alt"));
                        default -> { }
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element) {
                    switch (element.normalName()) {
                        case "a" -> {
                            String href = element.attr("href");
                            if (!href.isBlank() && !href.startsWith("#") && !element.text().strip().equals(href)) {
                                out.append(" (").append(href).append(')');
                            }
                        }
                        case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table" -> breakLine(out);
                        default -> { }
                    }
                }
            }
        }, document.body());
        return out.toString().replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
    }

    private static void breakLine(StringBuilder out) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
    }
}
