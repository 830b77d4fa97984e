<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>AppController</name>
    <message>
        <source>New profile</source>
        <translation>Nouveau profil</translation>
    </message>
    <message>
        <source>Profile already open</source>
        <translation>Profil déjà ouvert</translation>
    </message>
    <message>
        <source>This profile is already open in another Carnet window.</source>
        <translation>Ce profil est déjà ouvert dans une autre fenêtre de Carnet.</translation>
    </message>
    <message>
        <source>Go back to that window, or choose another profile.</source>
        <translation>Revenez à cette fenêtre, ou choisissez un autre profil.</translation>
    </message>
    <message>
        <source>Go back to that window: this one closes.</source>
        <translation>Revenez à cette fenêtre : celle-ci va se fermer.</translation>
    </message>
</context>
<context>
    <name>AutonomyChart</name>
    <message>
        <source>Autonomy over time</source>
        <translation>Autonomie au fil des séances</translation>
    </message>
    <message>
        <source>No autonomy level noted yet.</source>
        <translation>Aucun niveau d&apos;autonomie noté pour l&apos;instant.</translation>
    </message>
</context>
<context>
    <name>BarChart</name>
    <message>
        <source>No data for this period</source>
        <translation>Aucune donnée sur la période</translation>
    </message>
</context>
<context>
    <name>CatalogueView</name>
    <message>
        <source>All paths</source>
        <translation>Tous les parcours</translation>
    </message>
    <message>
        <source>Show withdrawn paths</source>
        <translation>Afficher les parcours retirés</translation>
    </message>
    <message>
        <source>Load the sample paths</source>
        <translation>Charger les parcours d&apos;exemple</translation>
    </message>
    <message>
        <source>Four sample paths, until your hub sends its own catalogue</source>
        <translation>Quatre parcours d&apos;exemple, en attendant le catalogue de votre hub</translation>
    </message>
    <message>
        <source>Module</source>
        <translation>Module</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Competences (target)</source>
        <translation>Compétences (niveau visé)</translation>
    </message>
    <message>
        <source>Themes</source>
        <translation>Thématiques</translation>
    </message>
    <message>
        <source>New path…</source>
        <translation>Nouveau parcours…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Modifier…</translation>
    </message>
    <message>
        <source>Propose to the hub</source>
        <translation>Proposer au hub</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exporter…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importer…</translation>
    </message>
    <message>
        <source>Enrol…</source>
        <translation>Inscrire…</translation>
    </message>
    <message>
        <source>No path in the catalogue yet.</source>
        <translation>Aucun parcours dans le catalogue pour l&apos;instant.</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>version %1</translation>
    </message>
    <message numerus="yes">
        <source>%n module(s)</source>
        <translation>
            <numerusform>%n module</numerusform>
            <numerusform>%n modules</numerusform>
        </translation>
    </message>
    <message>
        <source>Training paths</source>
        <translation>Parcours de formation</translation>
    </message>
    <message>
        <source>Export the path</source>
        <translation>Exporter le parcours</translation>
    </message>
    <message>
        <source>Carnet path (*.json)</source>
        <translation>Parcours Carnet (*.json)</translation>
    </message>
    <message>
        <source>Import a path</source>
        <translation>Importer un parcours</translation>
    </message>
</context>
<context>
    <name>CertificateDialog</name>
    <message>
        <source>Progress certificate</source>
        <translation>Attestation de progression</translation>
    </message>
    <message>
        <source>Follow-up code</source>
        <translation>Code de suivi</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Parcours</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>Lieu</translation>
    </message>
    <message>
        <source>Mediator</source>
        <translation>Médiateur ou médiatrice</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>The certificate shows the code only, with a blank line where you may write the person&apos;s name by hand once printed.</source>
        <translation>L&apos;attestation ne montre que le code, avec une ligne vide où écrire à la main le nom de la personne une fois imprimée.</translation>
    </message>
    <message>
        <source>Save the PDF…</source>
        <translation>Enregistrer le PDF…</translation>
    </message>
    <message>
        <source>No progress is recorded yet for this person.</source>
        <translation>Aucun progrès n&apos;est encore noté pour cette personne.</translation>
    </message>
    <message>
        <source>Save the certificate</source>
        <translation>Enregistrer l&apos;attestation</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>Document PDF (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ChipGroup</name>
    <message>
        <source>Shortcut: Alt+%1</source>
        <translation>Raccourci : Alt+%1</translation>
    </message>
</context>
<context>
    <name>CommunePicker</name>
    <message>
        <source>Commune name or postal code</source>
        <translation>Nom de la commune ou code postal</translation>
    </message>
    <message>
        <source>INSEE code %1</source>
        <translation>Code INSEE %1</translation>
    </message>
    <message>
        <source>choose from the list</source>
        <translation>choisissez dans la liste</translation>
    </message>
</context>
<context>
    <name>CompetenceChart</name>
    <message>
        <source>Competence levels</source>
        <translation>Niveaux de compétence</translation>
    </message>
    <message>
        <source>target %1</source>
        <translation>visé : %1</translation>
    </message>
    <message>
        <source>No competence assessed yet.</source>
        <translation>Aucune compétence évaluée pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Over time</source>
        <translation>Au fil du temps</translation>
    </message>
</context>
<context>
    <name>CountersEditor</name>
    <message>
        <source>Gender</source>
        <translation>Genre</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Âge</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message numerus="yes">
        <source>%n too many</source>
        <translation>
            <numerusform>%n de trop</numerusform>
            <numerusform>%n de trop</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not stated: %n</source>
        <translation>
            <numerusform>Non communiqué : %n</numerusform>
            <numerusform>Non communiqué : %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DurationPicker</name>
    <message>
        <source>Other duration…</source>
        <translation>Autre durée…</translation>
    </message>
    <message>
        <source>from 1 min to 23 h 59</source>
        <translation>de 1 min à 23 h 59</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol on a path</source>
        <translation>Inscrire à un parcours</translation>
    </message>
    <message>
        <source>e.g. KRT-4MX</source>
        <translation>par ex. KRT-4MX</translation>
    </message>
    <message>
        <source>A followed person (follow-up code)</source>
        <translation>Une personne suivie (code de suivi)</translation>
    </message>
    <message>
        <source>A workshop group</source>
        <translation>Un groupe d&apos;atelier</translation>
    </message>
    <message>
        <source>Myself (mediator training)</source>
        <translation>Moi-même (formation de médiateur)</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Follow-up code</source>
        <translation>Code de suivi</translation>
    </message>
    <message>
        <source>Workshop that gathers the group</source>
        <translation>Atelier qui réunit le groupe</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Parcours</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Levels at the start (optional)</source>
        <translation>Niveaux au départ (facultatif)</translation>
    </message>
    <message>
        <source>Link to a hub</source>
        <translation>Relier à un hub</translation>
    </message>
    <message>
        <source>Link this computer to your hub</source>
        <translation>Relier cet ordinateur à votre hub</translation>
    </message>
    <message>
        <source>Your coordinator gives you the hub&apos;s address and a one-time code (or a QR code: paste the link it holds into one of the fields). Your sessions stay on this computer; the hub receives a copy, for your other devices and for the statistics of your structure.</source>
        <translation>Votre coordinateur ou coordinatrice vous donne l&apos;adresse du hub et un code à usage unique (ou un QR code : collez le lien qu&apos;il contient dans l&apos;un des champs). Vos séances restent sur cet ordinateur ; le hub en reçoit une copie, pour vos autres appareils et pour les statistiques de votre structure.</translation>
    </message>
    <message>
        <source>How the hub&apos;s staff will recognise this computer in the list of devices.</source>
        <translation>Le nom sous lequel l&apos;équipe du hub reconnaîtra cet ordinateur dans la liste des appareils.</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>Adresse du hub</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>Code d&apos;inscription</translation>
    </message>
    <message>
        <source>Name of this computer</source>
        <translation>Nom de cet ordinateur</translation>
    </message>
    <message>
        <source>Checking where the device&apos;s key can be kept…</source>
        <translation>Vérification de l&apos;endroit où garder la clé de l&apos;appareil…</translation>
    </message>
    <message>
        <source>Contacting the hub…</source>
        <translation>Connexion au hub…</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Relier</translation>
    </message>
    <message>
        <source>The hub gives this computer its own key. Carnet keeps it in the system&apos;s keyring (its password manager), never in a file.</source>
        <translation>Le hub donne à cet ordinateur sa propre clé. Carnet la garde dans le trousseau du système (son gestionnaire de mots de passe), jamais dans un fichier.</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s address.</source>
        <translation>Indiquez l&apos;adresse du hub.</translation>
    </message>
    <message>
        <source>Enter the enrolment code.</source>
        <translation>Indiquez le code d&apos;inscription.</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts from this computer: wait %n second(s), then try again.</source>
        <translation>
            <numerusform>Trop de tentatives depuis cet ordinateur : patientez %n seconde, puis réessayez.</numerusform>
            <numerusform>Trop de tentatives depuis cet ordinateur : patientez %n secondes, puis réessayez.</numerusform>
        </translation>
    </message>
    <message>
        <source>A synchronisation is running: try again in a moment.</source>
        <translation>Une synchronisation est en cours : réessayez dans un instant.</translation>
    </message>
    <message>
        <source>The link with the hub failed for an unexpected reason. Nothing was changed; Carnet&apos;s log keeps a trace of it.</source>
        <translation>La liaison avec le hub a échoué pour une raison inattendue. Rien n&apos;a été modifié ; le journal de Carnet en garde la trace.</translation>
    </message>
    <message>
        <source>The secure connection to the hub failed: its certificate is not recognised, or the address does not answer in https. Check the address with your coordinator. Nothing was sent.</source>
        <translation>La connexion sécurisée au hub a échoué : son certificat n&apos;est pas reconnu, ou l&apos;adresse ne répond pas en https. Vérifiez l&apos;adresse auprès de votre coordinateur. Rien n&apos;a été envoyé.</translation>
    </message>
    <message>
        <source>The hub cannot be reached at this address. Check the address (as given by your coordinator) and this computer&apos;s connection, then try again.</source>
        <translation>Le hub est injoignable à cette adresse. Vérifiez l&apos;adresse (telle que donnée par votre coordinateur) et la connexion de cet ordinateur, puis réessayez.</translation>
    </message>
    <message>
        <source>The server at this address does not answer like a Carnet hub. Check the address: it may be a web page, a proxy or a Wi-Fi login page.</source>
        <translation>Le serveur à cette adresse ne répond pas comme un hub Carnet. Vérifiez l&apos;adresse : c&apos;est peut-être une page web, un proxy ou une page de connexion Wi-Fi.</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>Unexpected error</source>
        <translation>Erreur inattendue</translation>
    </message>
    <message>
        <source>An unexpected error occurred. Carnet keeps running: what you have saved is safe.</source>
        <translation>Une erreur inattendue s&apos;est produite. Carnet reste ouvert : ce que vous avez enregistré est en sécurité.</translation>
    </message>
    <message>
        <source>Details were written to the log file:
%1
You can send it to your support.</source>
        <translation>Le détail a été écrit dans le journal :
%1
Vous pouvez l&apos;envoyer à votre support.</translation>
    </message>
</context>
<context>
    <name>FollowUpLookupDialog</name>
    <message>
        <source>Followed person</source>
        <translation>Personne suivie</translation>
    </message>
    <message>
        <source>e.g. KRT-4MX</source>
        <translation>ex. KRT-4MX</translation>
    </message>
    <message>
        <source>Follow-up code</source>
        <translation>Code de suivi</translation>
    </message>
    <message>
        <source>Type the code written on the person&apos;s card.</source>
        <translation>Saisissez le code noté sur la carte de la personne.</translation>
    </message>
    <message>
        <source>No session is recorded with the code %1.</source>
        <translation>Aucune séance n&apos;est enregistrée avec le code %1.</translation>
    </message>
</context>
<context>
    <name>FollowupCodeField</name>
    <message>
        <source>e.g. KRT-4MX</source>
        <translation>ex. KRT-4MX</translation>
    </message>
    <message>
        <source>New code</source>
        <translation>Nouveau code</translation>
    </message>
    <message>
        <source>Create a code for a person met for the first time (write it on their card)</source>
        <translation>Créer un code pour une personne vue pour la première fois (notez-le sur sa carte)</translation>
    </message>
    <message>
        <source>Optional: follows the person from one session to the next, without a name.</source>
        <translation>Facultatif : suit la personne d&apos;une séance à l&apos;autre, sans son nom.</translation>
    </message>
    <message>
        <source>6 characters, e.g. KRT-4MX</source>
        <translation>6 caractères, ex. KRT-4MX</translation>
    </message>
    <message>
        <source>New person</source>
        <translation>Nouvelle personne</translation>
    </message>
    <message numerus="yes">
        <source>Already supported · %n session(s)</source>
        <translation>
            <numerusform>Déjà accompagnée · %n séance</numerusform>
            <numerusform>Déjà accompagnée · %n séances</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GroupMatrixTableModel</name>
    <message numerus="yes">
        <source>Group (%n participant(s))</source>
        <translation>
            <numerusform>Groupe (%n participant)</numerusform>
            <numerusform>Groupe (%n participants)</numerusform>
        </translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Groupe</translation>
    </message>
</context>
<context>
    <name>GroupMatrixView</name>
    <message>
        <source>No workshop group yet. Record the workshop as a session, then enrol its group on a path.</source>
        <translation>Aucun groupe d&apos;atelier pour l&apos;instant. Enregistrez l&apos;atelier comme une séance, puis inscrivez son groupe à un parcours.</translation>
    </message>
    <message>
        <source>Enrol a workshop group…</source>
        <translation>Inscrire un groupe d&apos;atelier…</translation>
    </message>
    <message>
        <source>Add a participant&apos;s code…</source>
        <translation>Ajouter le code d&apos;un participant…</translation>
    </message>
    <message>
        <source>Record a module…</source>
        <translation>Noter un module…</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Groupe</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Parcours</translation>
    </message>
    <message numerus="yes">
        <source>The group has done %1 of %2 modules; %n code(s) followed individually.</source>
        <translation>
            <numerusform>Le groupe a fait %1 modules sur %2 ; %n code suivi individuellement.</numerusform>
            <numerusform>Le groupe a fait %1 modules sur %2 ; %n codes suivis individuellement.</numerusform>
        </translation>
    </message>
    <message>
        <source>Add a participant&apos;s code</source>
        <translation>Ajouter le code d&apos;un participant</translation>
    </message>
    <message>
        <source>Follow-up code of a participant who wants their own progress followed:</source>
        <translation>Code de suivi d&apos;un participant qui souhaite un suivi de ses propres progrès :</translation>
    </message>
</context>
<context>
    <name>IssueCard</name>
    <message>
        <source>What to do: %1</source>
        <translation>Que faire : %1</translation>
    </message>
    <message>
        <source>Noted on %1</source>
        <translation>Constaté le %1</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflit</translation>
    </message>
    <message>
        <source>Deleted on another device</source>
        <translation>Supprimée sur un autre appareil</translation>
    </message>
    <message>
        <source>Refused by the hub</source>
        <translation>Refusée par le hub</translation>
    </message>
    <message>
        <source>session of %1</source>
        <translation>séance du %1</translation>
    </message>
    <message>
        <source>a session</source>
        <translation>une séance</translation>
    </message>
    <message>
        <source>venue « %1 »</source>
        <translation>lieu « %1 »</translation>
    </message>
    <message>
        <source>followed person %1</source>
        <translation>personne suivie %1</translation>
    </message>
    <message>
        <source>tag « %1 »</source>
        <translation>étiquette « %1 »</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>Sur cet ordinateur</translation>
    </message>
    <message>
        <source>On the hub</source>
        <translation>Sur le hub</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>Garder la mienne</translation>
    </message>
    <message>
        <source>Keep the hub&apos;s</source>
        <translation>Garder celle du hub</translation>
    </message>
    <message>
        <source>Open the session</source>
        <translation>Ouvrir la séance</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>J&apos;ai compris</translation>
    </message>
</context>
<context>
    <name>LevelEditor</name>
    <message>
        <source>This module names no competence.</source>
        <translation>Ce module ne cite aucune compétence.</translation>
    </message>
    <message>
        <source>Competence</source>
        <translation>Compétence</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Avant</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Après</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>delete %n session(s)</source>
        <translation>
            <numerusform>supprimer %n séance</numerusform>
            <numerusform>supprimer %n séances</numerusform>
        </translation>
    </message>
    <message>
        <source>New session</source>
        <translation>Nouvelle séance</translation>
    </message>
    <message>
        <source>Record a new session (Ctrl+N)</source>
        <translation>Noter une nouvelle séance (Ctrl+N)</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Open the selected session to correct it (Enter)</source>
        <translation>Ouvrir la séance sélectionnée pour la corriger (Entrée)</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Dupliquer</translation>
    </message>
    <message>
        <source>A new session like the selected one, dated today (Ctrl+D)</source>
        <translation>Une nouvelle séance comme celle sélectionnée, datée d&apos;aujourd&apos;hui (Ctrl+D)</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Delete the selected sessions; Ctrl+Z brings them back</source>
        <translation>Supprimer les séances sélectionnées ; Ctrl+Z les fait revenir</translation>
    </message>
    <message>
        <source>See the followed person</source>
        <translation>Voir la personne suivie</translation>
    </message>
    <message>
        <source>The page of the person followed in this session</source>
        <translation>La page de la personne suivie lors de cette séance</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Rétablir</translation>
    </message>
    <message>
        <source>Followed person…</source>
        <translation>Personne suivie…</translation>
    </message>
    <message>
        <source>Type a follow-up code to see the person&apos;s page (Ctrl+F)</source>
        <translation>Saisir un code de suivi pour voir la page de la personne (Ctrl+F)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Your name, your venues, your profile and its PIN</source>
        <translation>Votre nom, vos lieux, votre profil et son code PIN</translation>
    </message>
    <message>
        <source>New profile…</source>
        <translation>Nouveau profil…</translation>
    </message>
    <message>
        <source>Add a profile</source>
        <translation>Ajouter un profil</translation>
    </message>
    <message>
        <source>About Carnet</source>
        <translation>À propos de Carnet</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
    <message>
        <source>&amp;Carnet</source>
        <translation>&amp;Carnet</translation>
    </message>
    <message>
        <source>&amp;Sessions</source>
        <translation>&amp;Séances</translation>
    </message>
    <message>
        <source>&amp;People</source>
        <translation>&amp;Personnes</translation>
    </message>
    <message>
        <source>P&amp;rofile</source>
        <translation>P&amp;rofil</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>Switch profile</source>
        <translation>Changer de profil</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) waiting to be synchronised</source>
        <translation>
            <numerusform>%n modification en attente de synchronisation</numerusform>
            <numerusform>%n modifications en attente de synchronisation</numerusform>
        </translation>
    </message>
    <message>
        <source>Everything is synchronised</source>
        <translation>Tout est synchronisé</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n séance</numerusform>
            <numerusform>%n séances</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Shown: %1 out of %n session(s)</source>
        <translation>
            <numerusform>Affichées : %1 sur %n séance</numerusform>
            <numerusform>Affichées : %1 sur %n séances</numerusform>
        </translation>
    </message>
    <message>
        <source>Carnet could not save</source>
        <translation>Carnet n&apos;a pas pu enregistrer</translation>
    </message>
    <message>
        <source>Session saved.</source>
        <translation>Séance enregistrée.</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s) deleted.</source>
        <translation>
            <numerusform>%n séance supprimée.</numerusform>
            <numerusform>%n séances supprimées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Unsaved input</source>
        <translation>Saisie non enregistrée</translation>
    </message>
    <message>
        <source>An unsaved input was found: take it back?</source>
        <translation>Une saisie non enregistrée a été retrouvée : la reprendre ?</translation>
    </message>
    <message>
        <source>Take it back</source>
        <translation>La reprendre</translation>
    </message>
    <message>
        <source>Discard it</source>
        <translation>L&apos;abandonner</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Plus tard</translation>
    </message>
    <message>
        <source>The field notebook of digital-inclusion mediators: anonymous, works offline.</source>
        <translation>Le carnet de terrain des médiateurs et médiatrices numériques : anonyme, utilisable sans connexion.</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Dossier des données : %1</translation>
    </message>
    <message>
        <source>Log folder: %1</source>
        <translation>Dossier du journal : %1</translation>
    </message>
    <message>
        <source>Free software under the EUPL 1.2 licence.</source>
        <translation>Logiciel libre sous licence EUPL 1.2.</translation>
    </message>
</context>
<context>
    <name>ModuleForm</name>
    <message>
        <source>Competence</source>
        <translation>Compétence</translation>
    </message>
    <message>
        <source>Target level</source>
        <translation>Niveau visé</translation>
    </message>
    <message>
        <source>not worked</source>
        <translation>non travaillée</translation>
    </message>
    <message>
        <source>Module title</source>
        <translation>Titre du module</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>Objectif</translation>
    </message>
    <message>
        <source>Expected duration</source>
        <translation>Durée prévue</translation>
    </message>
    <message>
        <source>National themes</source>
        <translation>Thématiques nationales</translation>
    </message>
    <message>
        <source>Competences</source>
        <translation>Compétences</translation>
    </message>
</context>
<context>
    <name>ModuleStrip</name>
    <message>
        <source>%1 of %2 modules done</source>
        <translation>%1 modules faits sur %2</translation>
    </message>
</context>
<context>
    <name>NextStepHint</name>
    <message>
        <source>Record it…</source>
        <translation>Le noter…</translation>
    </message>
    <message>
        <source>Next step: module %1 “%2” of “%3” (%4 of %5 done)</source>
        <translation>Prochaine étape : module %1 « %2 » du parcours « %3 » (%4 sur %5 faits)</translation>
    </message>
</context>
<context>
    <name>PathCard</name>
    <message>
        <source>withdrawn from the catalogue</source>
        <translation>retiré du catalogue</translation>
    </message>
    <message>
        <source>%1 / %2 modules</source>
        <translation>%1 / %2 modules</translation>
    </message>
    <message>
        <source>since %1, last activity %2</source>
        <translation>depuis le %1, dernière activité le %2</translation>
    </message>
    <message>
        <source>done on %1</source>
        <translation>fait le %1</translation>
    </message>
    <message>
        <source>started on %1</source>
        <translation>commencé le %1</translation>
    </message>
    <message>
        <source>(no longer in the path)</source>
        <translation>(n&apos;est plus dans le parcours)</translation>
    </message>
</context>
<context>
    <name>PathEditorDialog</name>
    <message>
        <source>Edit the path</source>
        <translation>Modifier le parcours</translation>
    </message>
    <message>
        <source>New path</source>
        <translation>Nouveau parcours</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <source>For</source>
        <translation>Pour</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Add a module</source>
        <translation>Ajouter un module</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Monter</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Descendre</translation>
    </message>
    <message>
        <source>Modules, in order</source>
        <translation>Modules, dans l&apos;ordre</translation>
    </message>
    <message>
        <source>(untitled)</source>
        <translation>(sans titre)</translation>
    </message>
</context>
<context>
    <name>PersonPage</name>
    <message>
        <source>Followed person %1</source>
        <translation>Personne suivie %1</translation>
    </message>
    <message>
        <source>First seen on %1, last seen on %2</source>
        <translation>Première séance le %1, dernière le %2</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n séance</numerusform>
            <numerusform>%n séances</numerusform>
        </translation>
    </message>
    <message>
        <source>Themes seen</source>
        <translation>Thématiques abordées</translation>
    </message>
    <message>
        <source>Autonomy over time</source>
        <translation>Autonomie au fil des séances</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Themes</source>
        <translation>Thématiques</translation>
    </message>
    <message>
        <source>Autonomy</source>
        <translation>Autonomie</translation>
    </message>
    <message>
        <source>This page only knows the code: no name, phone number or e-mail is stored.</source>
        <translation>Cette page ne connaît que le code : aucun nom, numéro de téléphone ni e-mail n&apos;est enregistré.</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Séances</translation>
    </message>
    <message>
        <source>New: first session</source>
        <translation>Nouveau : première séance</translation>
    </message>
    <message numerus="yes">
        <source>Already supported (%n session(s) before)</source>
        <translation>
            <numerusform>Déjà accompagné (%n séance avant)</numerusform>
            <numerusform>Déjà accompagné (%n séances avant)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Locked profile</source>
        <translation>Profil verrouillé</translation>
    </message>
    <message>
        <source>Type the PIN of the profile “%1”.</source>
        <translation>Saisissez le code PIN du profil « %1 ».</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Déverrouiller</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>Code PIN incorrect. Réessayez.</translation>
    </message>
</context>
<context>
    <name>PlacePicker</name>
    <message>
        <source>No venue recorded yet: add your venues in Settings, or choose another place.</source>
        <translation>Aucun lieu enregistré : ajoutez vos lieux dans les Paramètres, ou choisissez un autre type de lieu.</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
</context>
<context>
    <name>ProfilePickerDialog</name>
    <message>
        <source>Carnet — choose your profile</source>
        <translation>Carnet — choisissez votre profil</translation>
    </message>
    <message>
        <source>Who is using Carnet?</source>
        <translation>Qui utilise Carnet ?</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>Code PIN</translation>
    </message>
    <message>
        <source>New profile…</source>
        <translation>Nouveau profil…</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>Code PIN incorrect. Réessayez.</translation>
    </message>
</context>
<context>
    <name>ProgressView</name>
    <message>
        <source>Enrol on a path…</source>
        <translation>Inscrire à un parcours…</translation>
    </message>
    <message>
        <source>Record progress…</source>
        <translation>Noter un progrès…</translation>
    </message>
    <message>
        <source>Certificate (PDF)…</source>
        <translation>Attestation (PDF)…</translation>
    </message>
    <message>
        <source>Not enrolled on any path yet.</source>
        <translation>Inscrit à aucun parcours pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Paths</source>
        <translation>Parcours</translation>
    </message>
    <message>
        <source>Competences (Pix / CRCN levels)</source>
        <translation>Compétences (niveaux Pix / CRCN)</translation>
    </message>
    <message>
        <source>Cancel the selected record</source>
        <translation>Annuler l&apos;enregistrement choisi</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <source>Cancel a record</source>
        <translation>Annuler un enregistrement</translation>
    </message>
    <message>
        <source>Cancel “%1”? The record stays in the history, struck out.</source>
        <translation>Annuler « %1 » ? L&apos;enregistrement reste dans l&apos;historique, barré.</translation>
    </message>
</context>
<context>
    <name>RecordProgressDialog</name>
    <message>
        <source>Record progress</source>
        <translation>Noter un progrès</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Parcours</translation>
    </message>
    <message>
        <source>Module</source>
        <translation>Module</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Commencé</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fait</translation>
    </message>
    <message>
        <source>Level assessed only</source>
        <translation>Niveau évalué seulement</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>No session</source>
        <translation>Aucune séance</translation>
    </message>
    <message>
        <source>During the session</source>
        <translation>Pendant la séance</translation>
    </message>
    <message>
        <source>Also for the codes present</source>
        <translation>Aussi pour les codes présents</translation>
    </message>
    <message>
        <source>Levels assessed (optional)</source>
        <translation>Niveaux évalués (facultatif)</translation>
    </message>
    <message>
        <source>Enrol on a path first.</source>
        <translation>Inscrivez d&apos;abord à un parcours.</translation>
    </message>
    <message>
        <source>The whole path (assessment)</source>
        <translation>Tout le parcours (évaluation)</translation>
    </message>
</context>
<context>
    <name>SessionFormDialog</name>
    <message>
        <source>Edit the session</source>
        <translation>Modifier la séance</translation>
    </message>
    <message>
        <source>New session (copy)</source>
        <translation>Nouvelle séance (copie)</translation>
    </message>
    <message>
        <source>New session</source>
        <translation>Nouvelle séance</translation>
    </message>
    <message>
        <source>Alt+1…9: most used themes · Ctrl+S: save · Esc: close (the draft is kept)</source>
        <translation>Alt+1…9 : thématiques les plus utilisées · Ctrl+S : enregistrer · Échap : fermer (le brouillon est gardé)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Esc: close; what you typed is kept as a draft</source>
        <translation>Échap : fermer ; ce que vous avez saisi est gardé comme brouillon</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <source>Ctrl+S or Ctrl+Enter</source>
        <translation>Ctrl+S ou Ctrl+Entrée</translation>
    </message>
    <message>
        <source>Resume the interrupted entry?</source>
        <translation>Reprendre la saisie interrompue ?</translation>
    </message>
    <message>
        <source>A form was not saved last time.</source>
        <translation>Un formulaire n&apos;a pas été enregistré la dernière fois.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignorer</translation>
    </message>
    <message>
        <source>The session</source>
        <translation>La séance</translation>
    </message>
    <message>
        <source>&amp;Type</source>
        <translation>&amp;Type</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Hier</translation>
    </message>
    <message>
        <source>&amp;Date</source>
        <translation>&amp;Date</translation>
    </message>
    <message>
        <source>D&amp;uration</source>
        <translation>D&amp;urée</translation>
    </message>
    <message>
        <source>P&amp;lace</source>
        <translation>&amp;Lieu</translation>
    </message>
    <message>
        <source>What it was about</source>
        <translation>Ce qui a été abordé</translation>
    </message>
    <message>
        <source>T&amp;hemes</source>
        <translation>T&amp;hématiques</translation>
    </message>
    <message>
        <source>&amp;Equipment</source>
        <translation>&amp;Matériel</translation>
    </message>
    <message>
        <source>The person</source>
        <translation>La personne</translation>
    </message>
    <message>
        <source>Follow-up &amp;code</source>
        <translation>&amp;Code de suivi</translation>
    </message>
    <message>
        <source>&amp;Autonomy</source>
        <translation>&amp;Autonomie</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>Choose the structure…</source>
        <translation>Choisissez la structure…</translation>
    </message>
    <message>
        <source>Referred &amp;on</source>
        <translation>&amp;Orientation</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Genre</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Âge</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Commune of residence</source>
        <translation>Commune de résidence</translation>
    </message>
    <message>
        <source>Anonymous characteristics (optional)</source>
        <translation>Caractéristiques anonymes (facultatif)</translation>
    </message>
    <message>
        <source>The workshop</source>
        <translation>L&apos;atelier</translation>
    </message>
    <message>
        <source>e.g. Sending photos by e-mail</source>
        <translation>ex. Envoyer des photos par e-mail</translation>
    </message>
    <message>
        <source>T&amp;itle</source>
        <translation>T&amp;itre</translation>
    </message>
    <message>
        <source>Le&amp;vel</source>
        <translation>Ni&amp;veau</translation>
    </message>
    <message>
        <source>of whom al&amp;ready supported</source>
        <translation>dont dé&amp;jà accompagnés</translation>
    </message>
    <message>
        <source>&amp;Participants</source>
        <translation>&amp;Participants</translation>
    </message>
    <message>
        <source>Breakdown by gender, age and status (optional)</source>
        <translation>Répartition par genre, âge et statut (facultatif)</translation>
    </message>
    <message>
        <source>Tags and notes</source>
        <translation>Étiquettes et notes</translation>
    </message>
    <message>
        <source>Ta&amp;gs</source>
        <translation>Éti&amp;quettes</translation>
    </message>
    <message>
        <source>No sensitive data: no name, phone number, e-mail, health or password.</source>
        <translation>Aucune donnée sensible : ni nom, ni téléphone, ni e-mail, ni santé, ni mot de passe.</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>&amp;Notes</translation>
    </message>
    <message>
        <source>Training paths</source>
        <translation>Parcours de formation</translation>
    </message>
    <message>
        <source>Modules worked on during this session</source>
        <translation>Modules travaillés pendant cette séance</translation>
    </message>
    <message>
        <source>Edit the note</source>
        <translation>Modifier la note</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>Enregistrer quand même</translation>
    </message>
    <message>
        <source>The session is saved, but the modules were not recorded: %1</source>
        <translation>La séance est enregistrée, mais les modules n&apos;ont pas été notés : %1</translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) to correct before saving: see the messages in red.</source>
        <translation>
            <numerusform>%n champ à corriger avant d&apos;enregistrer : voir le message en rouge.</numerusform>
            <numerusform>%n champs à corriger avant d&apos;enregistrer : voir les messages en rouge.</numerusform>
        </translation>
    </message>
    <message>
        <source>Carnet keeps no identity: prefer a follow-up code. Edit the note, or save anyway.</source>
        <translation>Carnet ne garde aucune identité : préférez un code de suivi. Modifiez la note, ou enregistrez quand même.</translation>
    </message>
</context>
<context>
    <name>SessionProgressPanel</name>
    <message>
        <source>Workshop group</source>
        <translation>Groupe d&apos;atelier</translation>
    </message>
    <message>
        <source>Module of the path</source>
        <translation>Module du parcours</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Commencé</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fait</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>Aucun groupe</translation>
    </message>
    <message>
        <source>Choose a workshop group enrolled on a path.</source>
        <translation>Choisissez un groupe d&apos;atelier inscrit à un parcours.</translation>
    </message>
    <message>
        <source>Type a follow-up code to record progress on a path.</source>
        <translation>Saisissez un code de suivi pour noter un progrès sur un parcours.</translation>
    </message>
    <message>
        <source>already</source>
        <translation>déjà</translation>
    </message>
    <message>
        <source>Not enrolled on any path in progress: enrol from the person&apos;s page.</source>
        <translation>Inscrit à aucun parcours en cours : inscrivez depuis la page de la personne.</translation>
    </message>
    <message>
        <source>Recorded with this session:</source>
        <translation>Noté avec cette séance :</translation>
    </message>
</context>
<context>
    <name>SessionsFilterBar</name>
    <message>
        <source>All dates</source>
        <translation>Toutes les dates</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Ce mois-ci</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Le mois dernier</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>Cette année</translation>
    </message>
    <message>
        <source>Custom dates…</source>
        <translation>Dates personnalisées…</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Période</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Au</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Tous les types</translation>
    </message>
    <message>
        <source>All themes</source>
        <translation>Toutes les thématiques</translation>
    </message>
    <message>
        <source>Search the notes…</source>
        <translation>Rechercher dans les notes…</translation>
    </message>
    <message>
        <source>Text in notes</source>
        <translation>Texte dans les notes</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Réinitialiser</translation>
    </message>
    <message>
        <source>Show every session again</source>
        <translation>Afficher à nouveau toutes les séances</translation>
    </message>
    <message>
        <source>All venues</source>
        <translation>Tous les lieux</translation>
    </message>
    <message>
        <source>All tags</source>
        <translation>Toutes les étiquettes</translation>
    </message>
</context>
<context>
    <name>SessionsTableModel</name>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Lieu</translation>
    </message>
    <message>
        <source>Themes</source>
        <translation>Thématiques</translation>
    </message>
    <message>
        <source>Follow-up code</source>
        <translation>Code de suivi</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <source>Individual</source>
        <translation>Individuel</translation>
    </message>
    <message>
        <source>Workshop</source>
        <translation>Atelier collectif</translation>
    </message>
    <message>
        <source>Click to sort</source>
        <translation>Cliquer pour trier</translation>
    </message>
</context>
<context>
    <name>SessionsView</name>
    <message>
        <source>No session matches these filters.</source>
        <translation>Aucune séance ne correspond à ces filtres.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Votre nom</translation>
    </message>
    <message>
        <source>A first name or a pseudonym is enough.</source>
        <translation>Un prénom ou un pseudonyme suffit.</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Nom du profil</translation>
    </message>
    <message>
        <source>Shown in the profile list when several people share this computer.</source>
        <translation>Affiché dans la liste des profils quand plusieurs personnes partagent cet ordinateur.</translation>
    </message>
    <message>
        <source>This profile is locked by a PIN.</source>
        <translation>Ce profil est protégé par un code PIN.</translation>
    </message>
    <message>
        <source>This profile has no PIN: anyone using this computer can open it.</source>
        <translation>Ce profil n&apos;a pas de code PIN : toute personne qui utilise cet ordinateur peut l&apos;ouvrir.</translation>
    </message>
    <message>
        <source>Remove the PIN</source>
        <translation>Retirer le code PIN</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>Nouveau code PIN</translation>
    </message>
    <message>
        <source>PIN (4 to 8 digits)</source>
        <translation>Code PIN (4 à 8 chiffres)</translation>
    </message>
    <message>
        <source>Confirm the PIN</source>
        <translation>Confirmez le code PIN</translation>
    </message>
    <message>
        <source>The PIN keeps a colleague from opening your notebook by mistake on a shared computer. Leave it empty to keep things as they are.</source>
        <translation>Le code PIN évite qu&apos;un ou une collègue ouvre votre carnet par erreur sur un ordinateur partagé. Laissez vide pour ne rien changer.</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vous</translation>
    </message>
    <message>
        <source>Venues</source>
        <translation>Lieux d&apos;activité</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>Code PIN</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>A PIN has 4 to 8 digits.</source>
        <translation>Un code PIN compte de 4 à 8 chiffres.</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>Les deux codes PIN sont différents.</translation>
    </message>
    <message>
        <source>Tell Carnet what to call you.</source>
        <translation>Indiquez comment Carnet doit vous appeler.</translation>
    </message>
    <message>
        <source>Give the profile a name.</source>
        <translation>Donnez un nom au profil.</translation>
    </message>
    <message>
        <source>Keep at least one venue.</source>
        <translation>Gardez au moins un lieu d&apos;activité.</translation>
    </message>
</context>
<context>
    <name>StatsView</name>
    <message>
        <source>My statistics</source>
        <translation>Mes statistiques</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Ce mois-ci</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Le mois dernier</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>Cette année</translation>
    </message>
    <message>
        <source>Last 12 months</source>
        <translation>Les 12 derniers mois</translation>
    </message>
    <message>
        <source>Last year</source>
        <translation>L&apos;année dernière</translation>
    </message>
    <message>
        <source>Since the beginning</source>
        <translation>Depuis le début</translation>
    </message>
    <message>
        <source>Custom period</source>
        <translation>Période personnalisée</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Période</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Au</translation>
    </message>
    <message>
        <source>from</source>
        <translation>du</translation>
    </message>
    <message>
        <source>to</source>
        <translation>au</translation>
    </message>
    <message>
        <source>All activities</source>
        <translation>Toutes les activités</translation>
    </message>
    <message>
        <source>Individual sessions</source>
        <translation>Accompagnements individuels</translation>
    </message>
    <message>
        <source>Workshops</source>
        <translation>Ateliers collectifs</translation>
    </message>
    <message>
        <source>Type of activity</source>
        <translation>Type d&apos;activité</translation>
    </message>
    <message>
        <source>PDF report…</source>
        <translation>Bilan PDF…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Sessions as Excel (XLSX)…</source>
        <translation>Activités en Excel (XLSX)…</translation>
    </message>
    <message>
        <source>Sessions as CSV…</source>
        <translation>Activités en CSV…</translation>
    </message>
    <message>
        <source>Statistics as Excel (XLSX)…</source>
        <translation>Statistiques en Excel (XLSX)…</translation>
    </message>
    <message>
        <source>Period report (PDF)…</source>
        <translation>Bilan de la période (PDF)…</translation>
    </message>
    <message>
        <source>accompaniments</source>
        <translation>accompagnements</translation>
    </message>
    <message>
        <source>people reached</source>
        <translation>personnes accompagnées</translation>
    </message>
    <message>
        <source>new people</source>
        <translation>nouvelles personnes</translation>
    </message>
    <message>
        <source>hours of support</source>
        <translation>heures d&apos;accompagnement</translation>
    </message>
    <message>
        <source>activities</source>
        <translation>activités</translation>
    </message>
    <message>
        <source>workshop participants</source>
        <translation>participants aux ateliers</translation>
    </message>
    <message>
        <source>Month by month</source>
        <translation>Mois par mois</translation>
    </message>
    <message>
        <source>Breakdowns</source>
        <translation>Répartitions</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Part</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>La date de fin précède la date de début.</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>Calcul en cours…</translation>
    </message>
    <message>
        <source>The statistics could not be computed.</source>
        <translation>Les statistiques n&apos;ont pas pu être calculées.</translation>
    </message>
    <message>
        <source>%1 individual · %2 in workshops</source>
        <translation>%1 individuels · %2 en ateliers</translation>
    </message>
    <message>
        <source>%1 followed with a code</source>
        <translation>dont %1 suivies avec un code</translation>
    </message>
    <message>
        <source>%1 already met · %2 unknown</source>
        <translation>%1 déjà accompagnées · %2 statut inconnu</translation>
    </message>
    <message>
        <source>%1 workshops</source>
        <translation>dont %1 ateliers</translation>
    </message>
    <message>
        <source>Counted in %1 (total %2).</source>
        <translation>Compté en %1 (total %2).</translation>
    </message>
    <message>
        <source>An activity counts once for each of its values.</source>
        <translation>Une activité compte pour chacune de ses valeurs : la somme dépasse 100 %.</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Classeur Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV file (*.csv)</source>
        <translation>Fichier CSV (*.csv)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>Document PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Export en cours…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>Enregistré : %1</translation>
    </message>
    <message>
        <source>Export cancelled: nothing was written.</source>
        <translation>Export annulé : rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>The export failed unexpectedly. Nothing was written.</source>
        <translation>L&apos;export a échoué de façon inattendue. Rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>S&amp;tatistics</source>
        <translation>S&amp;tatistiques</translation>
    </message>
    <message>
        <source>My statistics…</source>
        <translation>Mes statistiques…</translation>
    </message>
</context>
<context>
    <name>StorageErrorBox</name>
    <message>
        <source>Carnet cannot open your data</source>
        <translation>Carnet ne peut pas ouvrir vos données</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <source>Finishing the synchronisation before closing…</source>
        <translation>Fin de la synchronisation avant la fermeture…</translation>
    </message>
    <message>
        <source>The synchronisation met an unexpected problem. Your data stays on this computer; Carnet&apos;s log keeps a trace of it.</source>
        <translation>La synchronisation a rencontré un problème inattendu. Vos données restent sur cet ordinateur ; le journal de Carnet en garde la trace.</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <source>Synchronisation</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <source>Link with the hub</source>
        <translation>Liaison avec le hub</translation>
    </message>
    <message>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>Cet ordinateur</translation>
    </message>
    <message>
        <source>Mediator</source>
        <translation>Médiateur ou médiatrice</translation>
    </message>
    <message>
        <source>Linked since</source>
        <translation>Relié depuis le</translation>
    </message>
    <message>
        <source>This computer is not linked to a hub: everything stays here. Ask your coordinator for an enrolment code to send your sessions to the hub.</source>
        <translation>Cet ordinateur n&apos;est relié à aucun hub : tout reste ici. Demandez un code d&apos;inscription à votre coordinateur pour envoyer vos séances au hub.</translation>
    </message>
    <message>
        <source>Synchronise now</source>
        <translation>Synchroniser maintenant</translation>
    </message>
    <message>
        <source>Link to a hub…</source>
        <translation>Relier à un hub…</translation>
    </message>
    <message>
        <source>Disconnect from the hub</source>
        <translation>Se déconnecter du hub</translation>
    </message>
    <message>
        <source>Refused changes and conflicts</source>
        <translation>Modifications refusées et conflits</translation>
    </message>
    <message>
        <source>Nothing to review: the hub accepted every change.</source>
        <translation>Rien à revoir : le hub a accepté toutes les modifications.</translation>
    </message>
    <message>
        <source>This computer&apos;s key is kept in the system&apos;s keyring, never in a file.</source>
        <translation>La clé de cet ordinateur est gardée dans le trousseau du système, jamais dans un fichier.</translation>
    </message>
    <message>
        <source>Link again…</source>
        <translation>Relier à nouveau…</translation>
    </message>
    <message>
        <source>Disconnect this computer from the hub?</source>
        <translation>Déconnecter cet ordinateur du hub ?</translation>
    </message>
    <message numerus="yes">
        <source>Its key is removed from the keyring. Your sessions stay on this computer, and the %n change(s) waiting will go to the hub once the computer is linked again with a new code. If the computer leaves your hands, ask your coordinator to revoke it on the hub as well.</source>
        <translation>
            <numerusform>Sa clé est retirée du trousseau. Vos séances restent sur cet ordinateur, et la modification en attente (%n) partira au hub quand l&apos;ordinateur sera relié à nouveau avec un nouveau code. Si l&apos;ordinateur quitte vos mains, demandez aussi à votre coordinateur de le révoquer sur le hub.</numerusform>
            <numerusform>Sa clé est retirée du trousseau. Vos séances restent sur cet ordinateur, et les %n modifications en attente partiront au hub quand l&apos;ordinateur sera relié à nouveau avec un nouveau code. Si l&apos;ordinateur quitte vos mains, demandez aussi à votre coordinateur de le révoquer sur le hub.</numerusform>
        </translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Déconnecter</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 à %2</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Duration (minutes)</source>
        <translation>Durée (minutes)</translation>
    </message>
    <message>
        <source>Kind of session</source>
        <translation>Type de séance</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Lieu d&apos;intervention</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>Lieu</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
    <message>
        <source>Commune code</source>
        <translation>Code de la commune</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>Code postal</translation>
    </message>
    <message>
        <source>Themes</source>
        <translation>Thématiques</translation>
    </message>
    <message>
        <source>Procedure</source>
        <translation>Démarche</translation>
    </message>
    <message>
        <source>Equipment</source>
        <translation>Matériel</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>Autonomy</source>
        <translation>Autonomie</translation>
    </message>
    <message>
        <source>Referred</source>
        <translation>Orientée</translation>
    </message>
    <message>
        <source>Referred to</source>
        <translation>Orientée vers</translation>
    </message>
    <message>
        <source>Followed person</source>
        <translation>Personne suivie</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Genre</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Âge</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Place of residence</source>
        <translation>Lieu de résidence</translation>
    </message>
    <message>
        <source>Residence code</source>
        <translation>Code de la commune de résidence</translation>
    </message>
    <message>
        <source>Workshop title</source>
        <translation>Titre de l&apos;atelier</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>Returning participants</source>
        <translation>Participants déjà venus</translation>
    </message>
    <message>
        <source>Counts</source>
        <translation>Décomptes</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Follow-up code</source>
        <translation>Code de suivi</translation>
    </message>
</context>
<context>
    <name>SyncShell</name>
    <message>
        <source>Synchronise</source>
        <translation>Synchroniser</translation>
    </message>
    <message>
        <source>Send your changes to the hub and receive the others (F5)</source>
        <translation>Envoyer vos modifications au hub et recevoir les autres (F5)</translation>
    </message>
    <message>
        <source>Synchronisation panel…</source>
        <translation>Synchronisation…</translation>
    </message>
    <message>
        <source>Link to a hub…</source>
        <translation>Relier à un hub…</translation>
    </message>
    <message>
        <source>S&amp;ynchronisation</source>
        <translation>S&amp;ynchronisation</translation>
    </message>
</context>
<context>
    <name>SyncStatusButton</name>
    <message numerus="yes">
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n modification en attente</numerusform>
            <numerusform>%n modifications en attente</numerusform>
        </translation>
    </message>
    <message>
        <source>Synchronising… %1 / %2</source>
        <translation>Synchronisation… %1 / %2</translation>
    </message>
    <message>
        <source>Synchronising…</source>
        <translation>Synchronisation…</translation>
    </message>
    <message>
        <source>Exchanging with the hub.</source>
        <translation>Échange avec le hub.</translation>
    </message>
    <message>
        <source>Not linked to a hub</source>
        <translation>Non relié à un hub</translation>
    </message>
    <message>
        <source>This device does not synchronise yet: link it to your hub with the code given by your coordinator. Everything you record stays on this computer meanwhile.</source>
        <translation>Cet appareil ne se synchronise pas encore : reliez-le à votre hub avec le code donné par votre coordinateur. D&apos;ici là, tout ce que vous enregistrez reste sur cet ordinateur.</translation>
    </message>
    <message>
        <source>Synchronisation problem</source>
        <translation>Problème de synchronisation</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <source>The hub cannot be reached: Carnet tries again by itself. Your data stays on this computer.</source>
        <translation>Le hub est injoignable : Carnet réessaie tout seul. Vos données restent sur cet ordinateur.</translation>
    </message>
    <message numerus="yes">
        <source>Problem: %n item(s) to review</source>
        <translation>
            <numerusform>Problème : %n élément à revoir</numerusform>
            <numerusform>Problème : %n éléments à revoir</numerusform>
        </translation>
    </message>
    <message>
        <source>Changes refused by the hub or in conflict: see the panel.</source>
        <translation>Des modifications refusées par le hub ou en conflit : voyez le panneau.</translation>
    </message>
    <message>
        <source>Problem: the computer&apos;s clock is off</source>
        <translation>Problème : l&apos;horloge de l&apos;ordinateur est décalée</translation>
    </message>
    <message>
        <source>Synchronisation</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <source>Last synchronisation at %1</source>
        <translation>Dernière synchronisation à %1</translation>
    </message>
    <message>
        <source>Not synchronised yet</source>
        <translation>Pas encore synchronisé</translation>
    </message>
    <message>
        <source>Everything is on the hub.</source>
        <translation>Tout est sur le hub.</translation>
    </message>
</context>
<context>
    <name>TagEditor</name>
    <message>
        <source>Add a tag, then Enter</source>
        <translation>Ajouter une étiquette, puis Entrée</translation>
    </message>
    <message>
        <source>Free labels, e.g. a funder&apos;s programme (Pass numérique); Enter adds one</source>
        <translation>Libellés libres, par ex. le programme d&apos;un financeur (Pass numérique) ; Entrée ajoute l&apos;étiquette</translation>
    </message>
    <message>
        <source>Remove the tag « %1 »</source>
        <translation>Retirer l&apos;étiquette « %1 »</translation>
    </message>
</context>
<context>
    <name>ThemeBars</name>
    <message>
        <source>Themes seen</source>
        <translation>Thématiques abordées</translation>
    </message>
    <message>
        <source>No theme yet.</source>
        <translation>Aucune thématique pour l&apos;instant.</translation>
    </message>
</context>
<context>
    <name>ThemePicker</name>
    <message>
        <source>e.g. renewing a residence permit</source>
        <translation>ex. renouvellement d&apos;un titre de séjour</translation>
    </message>
    <message>
        <source>Administrative procedure (optional details)</source>
        <translation>Démarche administrative (précision facultative)</translation>
    </message>
    <message>
        <source>Name of the procedure</source>
        <translation>Nom de la démarche</translation>
    </message>
</context>
<context>
    <name>TrainingLabels</name>
    <message>
        <source>Mediators</source>
        <translation>Médiateurs et médiatrices</translation>
    </message>
    <message>
        <source>People supported</source>
        <translation>Personnes accompagnées</translation>
    </message>
    <message>
        <source>Unknown audience</source>
        <translation>Public inconnu</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fait</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Commencé</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>À faire</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>Inscrit</translation>
    </message>
    <message>
        <source>Withdrawn from the catalogue</source>
        <translation>Retiré du catalogue</translation>
    </message>
    <message>
        <source>Published by the hub</source>
        <translation>Publié par le hub</translation>
    </message>
    <message>
        <source>Local, proposed to the hub</source>
        <translation>Local, proposé au hub</translation>
    </message>
    <message>
        <source>Local (yours only)</source>
        <translation>Local (à vous seulement)</translation>
    </message>
    <message>
        <source>Module started</source>
        <translation>Module commencé</translation>
    </message>
    <message>
        <source>Module done</source>
        <translation>Module fait</translation>
    </message>
    <message>
        <source>Level assessed</source>
        <translation>Niveau évalué</translation>
    </message>
    <message>
        <source>Cancellation</source>
        <translation>Annulation</translation>
    </message>
    <message>
        <source>Level %1</source>
        <translation>Niveau %1</translation>
    </message>
    <message>
        <source>before: %1</source>
        <translation>avant : %1</translation>
    </message>
    <message>
        <source>after: %1</source>
        <translation>après : %1</translation>
    </message>
    <message>
        <source>Myself</source>
        <translation>Moi-même</translation>
    </message>
    <message>
        <source>Workshop</source>
        <translation>Atelier</translation>
    </message>
    <message>
        <source>Group of “%1” (%2)</source>
        <translation>Groupe de « %1 » (%2)</translation>
    </message>
</context>
<context>
    <name>TrainingShell</name>
    <message>
        <source>Training paths…</source>
        <translation>Parcours de formation…</translation>
    </message>
    <message>
        <source>Catalogue of paths, your own training, workshop groups (Ctrl+T)</source>
        <translation>Catalogue des parcours, votre propre formation, groupes d&apos;atelier (Ctrl+T)</translation>
    </message>
    <message>
        <source>My training</source>
        <translation>Ma formation</translation>
    </message>
    <message>
        <source>Workshop groups</source>
        <translation>Groupes d&apos;atelier</translation>
    </message>
    <message>
        <source>&amp;Training</source>
        <translation>Parc&amp;ours</translation>
    </message>
</context>
<context>
    <name>TrainingWindow</name>
    <message>
        <source>Training paths</source>
        <translation>Parcours de formation</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>Catalogue</translation>
    </message>
    <message>
        <source>My training</source>
        <translation>Ma formation</translation>
    </message>
    <message>
        <source>Workshop groups</source>
        <translation>Groupes d&apos;atelier</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Accompaniments</source>
        <translation>Accompagnements</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>Activités</translation>
    </message>
</context>
<context>
    <name>VenuesEditor</name>
    <message>
        <source>Your venues</source>
        <translation>Vos lieux d&apos;activité</translation>
    </message>
    <message>
        <source>e.g. Médiathèque Jean Lévy</source>
        <translation>ex. Médiathèque Jean Lévy</translation>
    </message>
    <message>
        <source>Itinerant (bus, rotating drop-in sessions…)</source>
        <translation>Itinérant (bus, permanences tournantes…)</translation>
    </message>
    <message>
        <source>Add this venue</source>
        <translation>Ajouter ce lieu</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>Mettre à jour</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <source>Venue name</source>
        <translation>Nom du lieu</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
    <message>
        <source>Give the venue a name.</source>
        <translation>Donnez un nom au lieu.</translation>
    </message>
    <message>
        <source>Choose the venue&apos;s commune from the list.</source>
        <translation>Choisissez la commune du lieu dans la liste.</translation>
    </message>
    <message>
        <source>You already have a venue with this name.</source>
        <translation>Vous avez déjà un lieu qui porte ce nom.</translation>
    </message>
    <message>
        <source>itinerant</source>
        <translation>itinérant</translation>
    </message>
    <message>
        <source>fixed venue</source>
        <translation>lieu fixe</translation>
    </message>
    <message>
        <source>No venue yet: add the first one below.</source>
        <translation>Aucun lieu pour l&apos;instant : ajoutez le premier ci-dessous.</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to Carnet</source>
        <translation>Bienvenue dans Carnet</translation>
    </message>
    <message>
        <source>Carnet records your support sessions anonymously, even without a network. Two things before starting: what to call you, and where you work. You can change them later in Settings.</source>
        <translation>Carnet garde la trace de vos accompagnements, de façon anonyme, même sans connexion. Deux choses avant de commencer : comment vous appeler, et où vous travaillez. Vous pourrez les changer plus tard dans les Paramètres.</translation>
    </message>
    <message>
        <source>e.g. Camille D. or a pseudonym</source>
        <translation>ex. Camille D. ou un pseudonyme</translation>
    </message>
    <message>
        <source>A first name or a pseudonym is enough.</source>
        <translation>Un prénom ou un pseudonyme suffit.</translation>
    </message>
    <message>
        <source>Your venues (lieux d&apos;activité)</source>
        <translation>Vos lieux d&apos;activité</translation>
    </message>
    <message>
        <source>Where you hold your sessions: a media library, a social centre, a France Services office… Itinerant if you move around.</source>
        <translation>Là où vous accompagnez : médiathèque, centre social, France Services… Itinérant si vous vous déplacez.</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Commencer</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Votre nom</translation>
    </message>
    <message>
        <source>Tell Carnet what to call you.</source>
        <translation>Indiquez comment Carnet doit vous appeler.</translation>
    </message>
    <message>
        <source>Add at least one venue.</source>
        <translation>Ajoutez au moins un lieu d&apos;activité.</translation>
    </message>
</context>
</TS>
