// TemplateEngine module: see README.
