"""Survey campaigns: public questionnaire pages, drafts, responses, analyst pages."""
