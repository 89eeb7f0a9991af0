-- Who changed a lead status, named as the audit log names them (a user's e-mail, a token,
-- the configured api_token). NULL for statuses from an import and for changes made before
-- this column existed: nobody is named who cannot be known.
ALTER TABLE status_changes ADD COLUMN actor TEXT;
