"""The site: the list of generated pages from one aggregate (`pages`, templates in
`templates/`), the long lists' HTML rows (`rows`) filled into pages after Markdown (`fills`),
inline SVG charts (`charts`), the downloads (`downloads`), and how the pages are made beside
the build (`pipeline`). A new page is a template plus one entry in `pages`."""
