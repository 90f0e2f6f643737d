"""English given names (narrate.convert.characters): the formal name each pet form stands
for (Lizzy, Eliza of Elizabeth; Bill of William), and the gender a given name shows, so
that one named Elizabeth Bennet is never taken for Mr. Bennet when no pronoun tells.
"""

from __future__ import annotations

_FEMALE = (
    ("Elizabeth", "Lizzy Lizzie Liz Eliza Beth Betsy Betty Bess Bessie Libby"),
    ("Catherine", "Kitty Kate Katie Kit Cathy"), ("Katherine", "Kitty Kate Katie Kathy"),
    ("Margaret", "Meg Maggie Peggy Madge"), ("Mary", "Polly Molly Mamie"),
    ("Sarah", "Sally Sadie"), ("Frances", "Fanny"), ("Harriet", "Hattie"),
    ("Eleanor", "Nell Nelly Nellie"), ("Dorothy", "Dolly Dot"), ("Susan", "Sue Susie Suky"),
    ("Anne", "Annie Nancy Nan"), ("Rebecca", "Becky"), ("Caroline", "Carrie Caro"),
    ("Georgiana", "Georgie"), ("Louisa", "Lou Louie"), ("Matilda", "Tilly Tilda"))
_MALE = (
    ("William", "Will Willy Willie Bill Billy"), ("Robert", "Bob Bobby Rob Robin"),
    ("Richard", "Dick Dickon Rick"), ("Edward", "Ned Ted Teddy Eddie"),
    ("John", "Jack Johnny"), ("James", "Jim Jimmy Jem Jamie"), ("Thomas", "Tom Tommy"),
    ("Henry", "Harry Hal"), ("Charles", "Charlie Charley"), ("Frederick", "Fred Freddy"),
    ("Alexander", "Alec Alex Sandy"), ("Benjamin", "Ben Benny"), ("Samuel", "Sam Sammy"),
    ("Joseph", "Joe Joey"), ("Nicholas", "Nick"), ("Anthony", "Tony"), ("Patrick", "Pat Paddy"),
    ("Michael", "Mike Mick Mickey"), ("Peter", "Pete"), ("Daniel", "Dan Danny"),
    ("Theodore", "Theo"), ("Christopher", "Chris"), ("Francis", "Frank Frankie"))
# given names with no pet form above, common in the English novels of the last centuries
_OTHER_FEMALE = ("Jane Lydia Charlotte Emma Alice Lucy Emily Julia Maria Amelia Isabella "
                 "Clara Agnes Edith Ellen Grace Helen Florence Martha Laura Rose Ada "
                 "Marianne Elinor Hannah Esther Ruth Sophia Sophie Violet Mabel Ethel "
                 "Cecilia Diana Judith Beatrice Philippa Victoria Olivia Jessica Emmeline")
_OTHER_MALE = ("George Arthur Albert Walter Hugh Ralph Harold Herbert Edmund Philip "
               "Stephen David Paul Matthew Andrew Simon Oliver Jonathan Thaddeus "
               "Bartholomew Mordecai Sherlock Mycroft Gilbert Ernest Alfred Fitzwilliam")

# pet form -> the formal given name it stands for
FORMAL = {pet: formal for formal, pets in _FEMALE + _MALE for pet in pets.split()}
_GENDERS = {
    **{name: "female" for formal, pets in _FEMALE for name in (formal, *pets.split())},
    **dict.fromkeys(_OTHER_FEMALE.split(), "female"),
    **{name: "male" for formal, pets in _MALE for name in (formal, *pets.split())},
    **dict.fromkeys(_OTHER_MALE.split(), "male"),
}


def given_gender(word: str) -> str:
    """"male" or "female" for a given name that shows one (Elizabeth, Bill), else ""."""
    return _GENDERS.get(word, "")
