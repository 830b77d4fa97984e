; Installateur Windows de Carnet (Inno Setup 6), construit à partir de l'application figée
; (dist\carnet, produite par installer\build.py avec installer\carnet.spec, la même que sous Linux).
;
;   ISCC.exe /DAppVersion=0.1.0 installer\carnet.iss   → dist\carnet-0.1.0-windows-setup.exe
;
; - Installation pour l'utilisateur seul, sans droits d'administrateur (PrivilegesRequired=lowest) :
;   dans %LOCALAPPDATA%\Programs\Carnet.
; - Raccourci dans le menu Démarrer (et sur le bureau si on le coche).
; - Désinstallation propre : le dossier du programme disparaît entièrement ; les données de
;   l'utilisateur (%APPDATA%\Carnet) et son journal (%LOCALAPPDATA%\Carnet\Logs) restent, pour
;   qu'une réinstallation ou une mise à jour les retrouve. La mise à jour s'installe par-dessus
;   (même AppId) ; Carnet sauvegarde sa base avant de la migrer au démarrage suivant.

#ifndef AppVersion
  #error "Passez la version : ISCC /DAppVersion=x.y.z (celle de app/__init__.py)"
#endif
#ifndef SourceDir
  #define SourceDir "..\dist\carnet"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

[Setup]
; Ne jamais changer l'AppId : c'est lui qui fait d'une nouvelle version une mise à jour.
AppId={{5B0E7C1D-8F2A-4C6B-9E3D-2A7F4B1C9D60}
AppName=Carnet
AppVersion={#AppVersion}
AppVerName=Carnet {#AppVersion}
AppPublisher=Carnet
VersionInfoVersion={#AppVersion}
VersionInfoDescription=Carnet, le carnet du médiateur numérique
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Carnet
DisableDirPage=auto
DefaultGroupName=Carnet
DisableProgramGroupPage=yes
OutputDir={#OutputDir}
OutputBaseFilename=carnet-{#AppVersion}-windows-setup
SetupIconFile=..\resources\icons\carnet.ico
UninstallDisplayIcon={app}\carnet.exe
UninstallDisplayName=Carnet
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Ferme Carnet s'il tourne pendant une mise à jour ou une désinstallation.
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=no

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Une mise à jour ne garde rien de l'ancienne version du programme (bibliothèques retirées, etc.).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\Carnet"; Filename: "{app}\carnet.exe"; Comment: "Le carnet du médiateur numérique"
Name: "{autodesktop}\Carnet"; Filename: "{app}\carnet.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\carnet.exe"; Description: "{cm:LaunchProgram,Carnet}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Le dossier du programme seulement : jamais {userappdata}\Carnet (les données).
Type: filesandordirs; Name: "{app}"
