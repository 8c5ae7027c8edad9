"""The public voting portal: customers see public features, vote, comment and submit ideas."""
